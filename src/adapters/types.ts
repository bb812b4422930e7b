import type { LogprobRequest, ReplyToken, TokenChoice } from './logprobs.js';

/**
 * The one contract every model provider implements (src/adapters/<provider>.ts). A provider turns a
 * single-image question into one model reply. It returns failures as data and throws only for bad
 * configuration at construction. It does not retry: the probe runner owns the single retry layer,
 * and SDK clients are created with `maxRetries: 0`.
 */

export interface ImageInput {
  bytes: Uint8Array;
  mediaType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
  /** Hex SHA-256 of `bytes`: part of cache keys, so an image replaced on disk is asked again. */
  sha256: string;
}

export interface ModelRequest {
  /** System prompt; omitted for reasoning models and where the protocol has none. */
  system: string | null;
  /** The user's text (the official prompt filled with question and options). */
  prompt: string;
  /** The image, sent after the text in the same user turn; judge requests have none. */
  image: ImageInput | null;
  /** null means "do not send a temperature" (reasoning models). */
  temperature: number | null;
  /**
   * The output token limit sent, thinking included; null sends none (the official GPT runner sent none).
   * Providers that require one (Anthropic) fall back to the official Claude runner's 2048.
   */
  maxTokens: number | null;
  /**
   * Token log-probabilities to ask for (greedy and prefix modes, confidence). Providers that cannot return
   * them ignore this and answer with `tokens` / `promptTokens` null, which the probe reports as unsupported.
   */
  logprobs?: LogprobRequest;
  /**
   * The reply's probabilities are the answer, not its text (greedy and prefix modes): a reply stopped at the
   * one-token limit, or with no text, is expected rather than a failure.
   */
  scoresOnly?: boolean;
  /**
   * Where the question comes from. Never sent to a model; lets offline providers (replay, random) answer
   * per image and lets logs name the pair.
   */
  context?: { pairId: string; slot: 0 | 1; purpose: 'answer' | 'judge' };
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type ModelResult =
  | {
      ok: true;
      text: string;
      usage: Usage;
      latencyMs: number;
      /** The reply's tokens with their alternatives; only when asked (`logprobs.kind: 'reply'`), null if absent. */
      tokens?: ReplyToken[] | null;
      /** The prompt's last tokens (see promptTail); only when asked (`logprobs.kind: 'prefill'`), null if absent. */
      promptTokens?: TokenChoice[] | null;
    }
  | {
      ok: false;
      error: string;
      /** True for rate limits, 5xx, timeouts and dropped connections; false for 4xx such as a bad key. */
      retryable: boolean;
      /** From `retry-after` / `retry-after-ms` / rate-limit reset headers, when the server sent one. */
      retryAfterMs?: number;
      /** HTTP status, when there was a response. */
      status?: number;
      /** What kind of failure, where the adapter could tell: decides whether a run stops at once. */
      failure?: FailureKind;
      latencyMs: number;
    };

/**
 * `auth`: 401/403. `not-found`: 404 (unknown model or wrong URL). `unsupported-parameter`: a 400 naming a
 * parameter the endpoint refuses. `not-api`: a 200 that is not the API's JSON (an HTML page). `unreachable`:
 * nothing listens at the address. `cut`: the reply hit the token limit. `empty`: a reply without text.
 */
export type FailureKind =
  | 'auth'
  | 'not-found'
  | 'unsupported-parameter'
  | 'not-api'
  | 'unreachable'
  | 'cut'
  | 'empty';

/** What identifies a model's answers for caching: never includes credentials. */
export interface ModelIdentity {
  provider: string;
  baseURL: string | null;
  model: string;
  /**
   * How this adapter lays a request out where that differs from the first version (Anthropic: image before
   * text; a thinking budget; a reasoning effort). Part of the answer cache key when present, so replies
   * to differently built requests are never mixed.
   */
  shape?: string;
}

export interface ModelAdapter {
  /** The models-file id (`gpt-4o`, `local-llava`). */
  readonly id: string;
  readonly identity: ModelIdentity;
  /** True for o-series style models: no system prompt, no temperature. */
  readonly reasoning: boolean;
  /**
   * False when the provider rejects any temperature even for non-reasoning models (Anthropic's API
   * version 2026-10-21, which the installed SDK sends, answers 400 to `temperature`). The adapter
   * then never sends one, so callers should record and cache-key the request as `temperature: null`.
   * Absent means true.
   */
  readonly acceptsTemperature?: boolean;
  /** Tokens reserved for hidden thinking on top of the answer's limit (capabilities.ts); absent means 0. */
  readonly thinkingBudget?: number;
  complete(
    request: ModelRequest,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<ModelResult>;
}
