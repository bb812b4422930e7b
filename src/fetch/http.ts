import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';

/**
 * One HTTP GET with a timeout, retried with exponential backoff and jitter when the failure is
 * worth another try (network error, timeout, 5xx, 408, 429, a body cut short). The response is
 * handed to `consume` inside the retried attempt, so a body that breaks mid-stream is fetched again.
 */

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** A server's `retry-after` is honoured up to this long; beyond it we wait this much. */
  maxRetryAfterMs: number;
}

export interface HttpSettings {
  retry: RetryPolicy;
  /** Abort an attempt when no headers or body bytes arrive for this long. */
  idleTimeoutMs: number;
  userAgent: string;
}

export const DEFAULT_HTTP_SETTINGS: HttpSettings = {
  retry: { retries: 4, minDelayMs: 500, maxDelayMs: 15_000, factor: 2, maxRetryAfterMs: 60_000 },
  idleTimeoutMs: 30_000,
  userAgent: 'mediconfusion-bot/0.1 (data fetch)',
};

/** A failure another attempt may fix. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure no retry can fix (404, content that is not what we asked for). */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reset on every sign of life from the server; fires once the connection has been silent too long. */
export class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  fired = false;

  constructor(private readonly ms: number) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  readonly touch = (): void => {
    if (this.fired) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new TransientError(`no response for ${this.ms / 1000}s (timed out)`));
    }, this.ms);
  };

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** `retry-after` as milliseconds: either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Node's fetch reports network failures as `TypeError: fetch failed` with the real reason in `cause`. */
export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${err.message} (${code}: ${cause.message})` : `${err.message} (${cause.message})`;
  }
  return err.message;
}

function isPermanentNetworkError(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  // An unknown host will not appear by retrying; a refused or reset connection may.
  return cause instanceof Error && (cause as NodeJS.ErrnoException).code === 'ENOTFOUND';
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  settings: HttpSettings;
  /** Counts attempts for the failure message and for tests. */
  onRetry?: (info: { url: string; attempt: number; error: Error }) => void;
}

/**
 * GETs `url` and passes a successful response to `consume`, which must read the body (call
 * `timer.touch()` as bytes arrive). Throws the last error, its message ending with the attempt count.
 */
export async function getWithRetry<T>(
  url: string,
  consume: (response: Response, timer: IdleTimer) => Promise<T>,
  options: RequestOptions,
): Promise<T> {
  const { settings, signal } = options;
  let attempts = 0;

  const attempt = async (): Promise<T> => {
    attempts++;
    const timer = new IdleTimer(settings.idleTimeoutMs);
    const combined = signal ? AbortSignal.any([timer.signal, signal]) : timer.signal;
    try {
      const response = await fetch(url, {
        signal: combined,
        headers: { 'user-agent': settings.userAgent },
        redirect: 'follow',
      });
      timer.touch();
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        const what = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        if (isRetryableStatus(response.status)) {
          throw new TransientError(what, parseRetryAfter(response.headers.get('retry-after')));
        }
        throw new PermanentError(what, response.status);
      }
      return await consume(response, timer);
    } catch (err) {
      if (signal?.aborted) throw new AbortError(asError(signal.reason));
      if (timer.fired) throw timer.signal.reason as TransientError;
      if (err instanceof PermanentError) throw new AbortError(err);
      if (err instanceof TransientError) throw err;
      if (isPermanentNetworkError(err)) {
        throw new AbortError(new PermanentError(describeNetworkError(err), undefined, { cause: err }));
      }
      throw new TransientError(describeNetworkError(err), undefined, { cause: err });
    } finally {
      timer.clear();
    }
  };

  try {
    return await pRetry(attempt, {
      retries: settings.retry.retries,
      factor: settings.retry.factor,
      minTimeout: settings.retry.minDelayMs,
      maxTimeout: settings.retry.maxDelayMs,
      randomize: true,
      ...(signal ? { signal } : {}),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        options.onRetry?.({ url, attempt: attemptNumber, error });
        if (retriesLeft > 0 && error instanceof TransientError && error.retryAfterMs !== undefined) {
          // p-retry adds its own backoff on top, so the server's wish is always met.
          const wait = Math.min(error.retryAfterMs, settings.retry.maxRetryAfterMs);
          await sleep(wait, undefined, signal ? { signal } : undefined);
        }
      },
    });
  } catch (err) {
    if (signal?.aborted) throw asError(signal.reason);
    if (err instanceof Error && attempts > 1) {
      err.message = `${err.message} (after ${attempts} attempts)`;
    }
    throw err;
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
}
