import type { FakeReply } from './fake-http.js';

/**
 * Reply bodies carrying log-probabilities, in the shapes the servers document:
 * - Chat Completions `choices[].logprobs.content[]`: `{ token, logprob, bytes, top_logprobs: [{ token, logprob,
 *   bytes }] }` (OpenAI's API reference; vLLM and llama.cpp's server return the same shape);
 * - vLLM's top-level `prompt_logprobs`: one entry per prompt token, `null` for the first, otherwise an object
 *   from token id to `{ logprob, rank, decoded_token }`.
 */

const bytesOf = (token: string) => [...Buffer.from(token, 'utf8')];

let counter = 0;

function chatBody(
  model: string,
  text: string,
  extra: Record<string, unknown>,
  choiceLogprobs: unknown,
  finishReason = 'length',
) {
  counter += 1;
  return {
    id: `chatcmpl-logprobs-${counter}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        // One token asked and one given: greedy mode stops at the limit by design.
        finish_reason: finishReason,
        logprobs: choiceLogprobs,
      },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 1, total_tokens: 101 },
    ...extra,
  };
}

function json(body: unknown): FakeReply {
  return {
    kind: 'raw',
    status: 200,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  };
}

/**
 * A one-token reply whose first position lists `top` (token and probability, most likely first); the reply
 * token is the first of them.
 */
export function replyWithTopLogprobs(
  model: string,
  top: ReadonlyArray<readonly [string, number]>,
  finishReason: 'length' | 'stop' = 'length',
): FakeReply {
  const [first] = top;
  if (!first) throw new Error('top needs at least one token');
  const entry = (token: string, p: number) => ({ token, logprob: Math.log(p), bytes: bytesOf(token) });
  return json(
    chatBody(
      model,
      first[0],
      {},
      {
        content: [{ ...entry(first[0], first[1]), top_logprobs: top.map(([t, p]) => entry(t, p)) }],
        refusal: null,
      },
      finishReason,
    ),
  );
}

/** A vLLM reply with prompt log-probabilities: `prompt` is every prompt token with its log-probability. */
export function replyWithPromptLogprobs(
  model: string,
  prompt: ReadonlyArray<readonly [string, number]>,
): FakeReply {
  const promptLogprobs = prompt.map(([token, logprob], index) =>
    index === 0 ? null : { [String(1000 + index)]: { logprob, rank: 1, decoded_token: token } },
  );
  return json(chatBody(model, ' ', { prompt_logprobs: promptLogprobs }, null));
}
