/**
 * Token log-probabilities as the probe keeps them, whatever server sent them. Only OpenAI-compatible
 * Chat Completions servers return them (OpenAI's API, vLLM, llama.cpp's server, …); see the README's
 * "Evaluation modes" section for which server supports which mode.
 */

export interface TokenChoice {
  token: string;
  /** Natural log of the token's probability. */
  logprob: number;
}

/** One token of a reply: the token produced and the most likely tokens at its position (`top_logprobs`). */
export interface ReplyToken extends TokenChoice {
  top: TokenChoice[];
}

/** What a request asks for besides the reply text. */
export type LogprobRequest =
  /** `logprobs: true` and `top_logprobs: top` on the reply (greedy mode, confidence in multiple choice). */
  | { kind: 'reply'; top: number }
  /**
   * `assistant` is sent as a final assistant message for the model to continue, and the log-probabilities
   * of the prompt's own tokens are asked for (vLLM's `prompt_logprobs`): prefix scoring.
   */
  | { kind: 'prefill'; assistant: string };

/**
 * The last prompt tokens whose text covers `text` (plus the token before, for context): a prefix-scoring
 * reply keeps only these, not the thousands of image tokens before them.
 */
export function promptTail(tokens: readonly TokenChoice[], text: string): TokenChoice[] {
  let covered = 0;
  let start = tokens.length;
  while (start > 0 && covered < text.length) {
    start -= 1;
    covered += tokens[start]?.token.length ?? 0;
  }
  return tokens.slice(Math.max(0, start - 1));
}
