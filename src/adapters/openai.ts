import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { type CallFailure, classifyUnknownError, rootMessage } from './http-errors.js';
import { imagePayload } from './image-payload.js';
import { type LogprobRequest, promptTail, type ReplyToken, type TokenChoice } from './logprobs.js';
import { timedCall } from './timed-call.js';
import type { ModelAdapter, ModelRequest, ModelResult } from './types.js';

/**
 * The `openai` provider: Chat Completions through the official SDK. Besides OpenAI itself it serves
 * Azure OpenAI and every OpenAI-compatible server (vLLM, Ollama, LM Studio, llama.cpp, OpenRouter,
 * Gemini's OpenAI endpoint) through `baseURL`.
 */

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIAdapterOptions {
  id: string;
  model: string;
  /** null: OpenAI's own endpoint. */
  baseURL: string | null;
  /** null for servers without authentication (local vLLM/Ollama): no Authorization header is sent. */
  apiKey: string | null;
  /** Extra headers, already resolved (values from the environment included). */
  headers: Record<string, string>;
  /** Extra query parameters, e.g. `api-version` for Azure's deployment-style endpoints. */
  query: Record<string, string>;
  /** Overrides the name-based detection of o-series reasoning models. */
  reasoning: boolean | undefined;
  timeoutMs: number;
  maxImageSide: number | null;
}

/**
 * o-series models (`o1`, `o1-mini`, `o3`, `o4-mini`, …, also behind a router prefix such as
 * `openai/o3-mini`) reject a system prompt and temperature in the official harness's setup.
 */
export function isReasoningModelName(model: string): boolean {
  const name = model.split('/').pop() ?? model;
  return /^o\d+(-|$)/i.test(name);
}

const tokenChoiceSchema = z.object({ token: z.string(), logprob: z.number() });

/**
 * The part of a Chat Completions answer we rely on; validated because compatible servers vary.
 * `choices[].logprobs.content[]` is the published shape of reply log-probabilities (OpenAI, vLLM, llama.cpp);
 * the top-level `prompt_logprobs` is vLLM's extension: per prompt token null (the first) or an object from
 * token id to `{ logprob, rank, decoded_token }`.
 */
const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        logprobs: z
          .object({
            content: z
              .array(tokenChoiceSchema.extend({ top_logprobs: z.array(tokenChoiceSchema).nullish() }))
              .nullish(),
          })
          .nullish(),
      }),
    )
    .min(1, 'no choices'),
  usage: z.object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() }).nullish(),
  prompt_logprobs: z
    .array(
      z
        .record(
          z.string(),
          z.object({ logprob: z.number(), rank: z.number().nullish(), decoded_token: z.string().nullish() }),
        )
        .nullable(),
    )
    .nullish(),
});
type CompletionBody = z.infer<typeof completionSchema>;

/** The reply's tokens, or null when the server sent no log-probabilities. */
function replyTokens(body: CompletionBody): ReplyToken[] | null {
  const content = body.choices[0]?.logprobs?.content;
  if (!content || content.length === 0) return null;
  return content.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    top: (t.top_logprobs ?? []).map((c) => ({ token: c.token, logprob: c.logprob })),
  }));
}

/**
 * The prompt's tokens from vLLM's `prompt_logprobs`. The request asks for 0 alternatives, so each position
 * holds the prompt token alone; vLLM lists the prompt token first when it adds alternatives.
 */
function promptTokensOf(body: CompletionBody, assistant: string): TokenChoice[] | null {
  const positions = body.prompt_logprobs;
  if (!positions || positions.length === 0) return null;
  const tokens = positions.map((position) => {
    const first = position ? Object.values(position)[0] : undefined;
    return first ? { token: first.decoded_token ?? '', logprob: first.logprob } : { token: '', logprob: 0 };
  });
  return promptTail(tokens, assistant);
}

/**
 * Request fields for log-probabilities. For prefix scoring the answer is prefilled as the final assistant
 * message and continued (`continue_final_message`, which vLLM documents as exclusive with
 * `add_generation_prompt`), so the prompt ends with the option's tokens.
 */
function logprobFields(request: LogprobRequest | undefined): Record<string, unknown> {
  if (request === undefined) return {};
  if (request.kind === 'reply') return { logprobs: true, top_logprobs: request.top };
  return { prompt_logprobs: 0, add_generation_prompt: false, continue_final_message: true };
}

export function createOpenAIAdapter(options: OpenAIAdapterOptions): ModelAdapter {
  const reasoning = options.reasoning ?? isReasoningModelName(options.model);
  const secrets = [options.apiKey ?? '', ...Object.values(options.headers)];
  // Every option is explicit so that OPENAI_* variables in the process environment cannot change
  // where requests go or whose key they carry.
  const client = new OpenAI({
    apiKey: options.apiKey ?? 'no-key',
    adminAPIKey: null,
    organization: null,
    project: null,
    baseURL: options.baseURL ?? OPENAI_DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: options.timeoutMs,
    defaultHeaders: { ...(options.apiKey === null ? { Authorization: null } : {}), ...options.headers },
    defaultQuery: options.query,
  });

  async function body(request: ModelRequest): Promise<ChatCompletionCreateParamsNonStreaming> {
    const messages: ChatCompletionMessageParam[] = [];
    if (!reasoning && request.system !== null) messages.push({ role: 'system', content: request.system });
    if (request.image) {
      const image = await imagePayload(request.image, options.maxImageSide);
      messages.push({
        role: 'user',
        content: [
          { type: 'text', text: request.prompt },
          { type: 'image_url', image_url: { url: `data:${image.mediaType};base64,${image.base64}` } },
        ],
      });
    } else {
      messages.push({ role: 'user', content: request.prompt });
    }
    if (request.logprobs?.kind === 'prefill') {
      messages.push({ role: 'assistant', content: request.logprobs.assistant });
    }
    return {
      model: options.model,
      messages,
      ...logprobFields(request.logprobs),
      ...(reasoning
        ? { max_completion_tokens: request.maxTokens }
        : {
            max_tokens: request.maxTokens,
            ...(request.temperature !== null ? { temperature: request.temperature } : {}),
          }),
    };
  }

  function toFailure(err: unknown, timeoutMs: number): CallFailure {
    if (err instanceof OpenAI.APIUserAbortError) return { kind: 'aborted' };
    if (err instanceof OpenAI.APIConnectionTimeoutError) return { kind: 'timeout', timeoutMs };
    if (err instanceof OpenAI.APIConnectionError) return { kind: 'connection', message: rootMessage(err) };
    if (err instanceof OpenAI.APIError && err.status !== undefined) {
      return { kind: 'http', status: err.status, headers: err.headers, message: err.message };
    }
    return classifyUnknownError(err);
  }

  return {
    id: options.id,
    identity: { provider: 'openai', baseURL: options.baseURL, model: options.model },
    reasoning,
    async complete(request, callOptions = {}): Promise<ModelResult> {
      return timedCall({
        timeoutMs: Math.max(1, Math.ceil(callOptions.timeoutMs ?? options.timeoutMs)),
        signal: callOptions.signal,
        secrets,
        send: async (requestOptions) => client.chat.completions.create(await body(request), requestOptions),
        schema: completionSchema,
        read: (completion) => {
          const { choices, usage } = completion;
          const message = choices[0]?.message;
          const asked = request.logprobs;
          return {
            // A null content is an answer without text (e.g. a refusal): a valid reply the parser marks invalid.
            text: message?.content ?? message?.refusal ?? '',
            usage: { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0 },
            ...(asked?.kind === 'reply' ? { tokens: replyTokens(completion) } : {}),
            ...(asked?.kind === 'prefill'
              ? { promptTokens: promptTokensOf(completion, asked.assistant) }
              : {}),
          };
        },
        toFailure,
      });
    },
  };
}
