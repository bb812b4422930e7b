import { unsupportedParameterHint, unsupportedParameterIn } from './capabilities.js';
import type { ModelResult } from './types.js';

/**
 * Turns what went wrong with one HTTP model call into a failed ModelResult, the same way for every
 * provider: which failures are worth retrying, how long the server asked us to wait, and an error text
 * that never carries a credential.
 */

export type FailedResult = Extract<ModelResult, { ok: false }>;

/** What an adapter learned from its SDK's error, before classification. */
export type CallFailure =
  | {
      kind: 'http';
      status: number;
      headers: Headers | undefined;
      message: string;
      /** The parameter an error body names (OpenAI's `param`), when it names one. */
      param?: string | null | undefined;
    }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'connection'; message: string }
  /** A 200 whose body is not the API's JSON at all (an HTML page): the base URL points elsewhere. */
  | { kind: 'not-api'; message: string }
  /** A reply that stopped at the token limit, or that holds no text. */
  | { kind: 'cut' | 'empty'; message: string }
  | { kind: 'aborted' }
  /** A 200 whose body is not JSON or lacks the answer: a broken proxy or server hiccup, worth one more try. */
  | { kind: 'malformed'; message: string }
  | { kind: 'other'; message: string };

/**
 * 408 request timeout, 409 lock conflict, 429 rate limit and every 5xx (incl. Anthropic's 529
 * "overloaded") are transient; other 4xx (bad request, bad key, no such model) will fail the same way again.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Go-style durations as OpenAI sends in `x-ratelimit-reset-*`: `20ms`, `1s`, `6m0s`, `1h2m3.5s`. */
function parseDuration(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const amount = Number(match[1]);
    const unit = match[2];
    total += amount * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1);
  }
  return total;
}

/** A reset header's value as milliseconds from `now`: a duration, epoch seconds/ms, delta seconds or a date. */
function parseReset(value: string, now: number): number | undefined {
  const duration = parseDuration(value);
  if (duration !== undefined) return duration;
  if (/^\d+(\.\d+)?$/.test(value.trim())) {
    const n = Number(value);
    if (n > 1e12) return n - now; // epoch milliseconds (OpenRouter)
    if (n > 1e9) return n * 1000 - now; // epoch seconds
    return n * 1000; // seconds from now
  }
  const date = Date.parse(value); // RFC 3339 (Anthropic's `anthropic-ratelimit-*-reset`)
  return Number.isNaN(date) ? undefined : date - now;
}

const RESET_HEADERS = [
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'x-ratelimit-reset',
  'anthropic-ratelimit-requests-reset',
  'anthropic-ratelimit-tokens-reset',
  'anthropic-ratelimit-input-tokens-reset',
  'anthropic-ratelimit-output-tokens-reset',
];

/**
 * How long the server asked us to wait, in ms (never negative), or undefined when it did not say.
 * `retry-after-ms` wins, then `retry-after` (seconds or an HTTP date). Rate-limit reset headers are
 * consulted only for 429: OpenAI sends them on every response, and on a 500 they say nothing about
 * when to retry. When several reset headers are present the longest wait is taken, since we cannot
 * tell which limit was hit.
 */
export function parseRetryAfterMs(headers: Headers, status: number, now = Date.now()): number | undefined {
  const clamp = (ms: number) => Math.max(0, Math.round(ms));
  const retryAfterMs = headers.get('retry-after-ms');
  if (retryAfterMs !== null && /^\d+(\.\d+)?$/.test(retryAfterMs.trim())) return clamp(Number(retryAfterMs));
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return clamp(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return clamp(date - now);
  }
  if (status !== 429) return undefined;
  const resets = RESET_HEADERS.flatMap((name) => {
    const value = headers.get(name);
    const ms = value === null ? undefined : parseReset(value, now);
    return ms === undefined ? [] : [ms];
  });
  return resets.length > 0 ? clamp(Math.max(...resets)) : undefined;
}

/**
 * Removes every secret (API key, header values from the environment) from a text, in case a server
 * or an SDK echoes one back. Secrets shorter than 4 characters are left alone: replacing them would
 * mangle ordinary words and they are no real secret.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** Nothing listens at the address, or the name does not resolve: no retry will reach it. */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_NONAME|EHOSTUNREACH|ENETUNREACH/;

/** What kind of HTTP failure, and for a 400 naming an unsupported parameter, the models-file field to set. */
function classifyHttp(
  failure: Extract<CallFailure, { kind: 'http' }>,
  modelId: string | undefined,
): { failure?: NonNullable<FailedResult['failure']>; hint?: string } {
  if (failure.status === 401 || failure.status === 403) return { failure: 'auth' };
  if (failure.status === 404) return { failure: 'not-found' };
  if (failure.status === 400 || failure.status === 422) {
    const param = unsupportedParameterIn(failure.message) ?? failure.param ?? null;
    const hint = param === null ? null : unsupportedParameterHint(param, modelId ?? 'this model');
    if (hint !== null) return { failure: 'unsupported-parameter', hint };
  }
  return {};
}

/** Classifies a failure; `secrets` are scrubbed from the error text. */
export function failedResult(
  failure: CallFailure,
  latencyMs: number,
  secrets: readonly string[],
  modelId?: string,
): FailedResult {
  const scrub = (text: string) => scrubSecrets(text, secrets);
  switch (failure.kind) {
    case 'http': {
      // Servers may override the status-based guess; the official SDKs honour this header too.
      const hint = failure.headers?.get('x-should-retry');
      const retryable = hint === 'true' ? true : hint === 'false' ? false : isRetryableStatus(failure.status);
      const retryAfterMs = failure.headers ? parseRetryAfterMs(failure.headers, failure.status) : undefined;
      const kind = classifyHttp(failure, modelId);
      return {
        ok: false,
        error: scrub(kind.hint ? `${failure.message} (${kind.hint})` : failure.message),
        retryable,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        status: failure.status,
        ...(kind.failure ? { failure: kind.failure } : {}),
        latencyMs,
      };
    }
    case 'timeout':
      return { ok: false, error: `no response within ${failure.timeoutMs} ms`, retryable: true, latencyMs };
    case 'connection':
      return {
        ok: false,
        error: scrub(`connection failed: ${failure.message}`),
        retryable: true,
        ...(UNREACHABLE.test(failure.message) ? { failure: 'unreachable' as const } : {}),
        latencyMs,
      };
    case 'not-api':
      return {
        ok: false,
        error: scrub(`the server did not answer with the API's JSON: ${failure.message}`),
        retryable: false,
        failure: 'not-api',
        latencyMs,
      };
    case 'cut':
    case 'empty':
      // Not retried: the same request would hit the same limit. `--retry-errors` asks again once the
      // limit is raised.
      return { ok: false, error: scrub(failure.message), retryable: false, failure: failure.kind, latencyMs };
    case 'aborted':
      return { ok: false, error: 'request aborted', retryable: false, latencyMs };
    case 'malformed':
      return {
        ok: false,
        error: scrub(`malformed response: ${failure.message}`),
        retryable: true,
        latencyMs,
      };
    case 'other':
      return { ok: false, error: scrub(failure.message), retryable: false, latencyMs };
  }
}

/** The innermost message of an error chain (`fetch failed` → `socket hang up`), for connection errors. */
export function rootMessage(err: unknown): string {
  let current: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) {
    current = current.cause;
    if (current instanceof Error && current.message) message = current.message;
    else if (typeof current === 'string') message = current;
  }
  return message;
}

/**
 * A body read that broke off (`TypeError: terminated`, ECONNRESET) or a body that was not JSON
 * (SyntaxError): what is left after an SDK's own error classes have been checked.
 */
export function classifyUnknownError(err: unknown): CallFailure {
  if (err instanceof SyntaxError) return { kind: 'malformed', message: `body is not JSON (${err.message})` };
  const root = rootMessage(err);
  if (err instanceof TypeError && (err.message === 'terminated' || /ECONNRESET|socket|closed/i.test(root))) {
    return { kind: 'connection', message: root };
  }
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}
