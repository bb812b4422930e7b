import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import type { ModelAdapter, ModelRequest, ModelResult } from '../adapters/types.js';
import type { Budget, Price } from './budget.js';
import type { FailFast } from './fail-fast.js';
import { capReply } from './reply-cap.js';

export interface BackoffSettings {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Upper bound of the first retry's delay; doubles per attempt (full jitter: the delay is uniform in [0, bound]). */
  baseMs: number;
  capMs: number;
  /** Longest `retry-after` honoured; a longer one ends the request as an ERROR rather than stall the run. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  maxAttempts: 4,
  baseMs: 1000,
  capMs: 30_000,
  maxRetryAfterMs: 120_000,
};

export interface GateSettings {
  concurrency: number;
  /** Requests per minute; null for no limit. */
  rpm: number | null;
  timeoutMs: number;
  price: Price | null;
  backoff: BackoffSettings;
}

export type GateOutcome =
  | { kind: 'done'; result: ModelResult; attempts: number; costUsd: number }
  /** No final result: the budget ran out or the run was aborted before one arrived. Nothing to cache. */
  | { kind: 'stopped'; reason: string };

class RetryableFailure extends Error {
  constructor(readonly result: Extract<ModelResult, { ok: false }>) {
    super(result.error);
  }
}

class StopRequest extends Error {}

/** The gate's view of time: injected so that tests drive spacing and pauses without real waiting. */
export interface GateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemGateClock: GateClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/**
 * The single retry layer between the probe and one model: it caps requests in flight, spaces them to the
 * model's requests-per-minute, honours `retry-after` for every request to the model (one 429 pauses them
 * all), retries retryable failures with exponential backoff and full jitter, and charges every attempt to
 * the run's budget. Adapters and SDKs never retry on their own.
 */
export class RequestGate {
  private readonly limit: LimitFunction;
  /** Milliseconds between two sends (from the rpm); 0 for no spacing. */
  private readonly spacingMs: number;
  /** Earliest time the next request may be sent: one slot per request, reserved in arrival order. */
  private nextSlot = 0;
  private pausedUntil = 0;
  private readonly clock: GateClock;

  constructor(
    readonly adapter: ModelAdapter,
    readonly settings: GateSettings,
    private readonly budget: Budget,
    private readonly hooks: {
      /** Aborts requests in flight (a second Ctrl-C); their replies are dropped, not cached. */
      abortSignal?: AbortSignal;
      onAttempt?: (info: { attempt: number; result: ModelResult }) => void;
      random?: () => number;
      clock?: GateClock;
      /** Stops every request to this model once the run cannot work (bad key, unknown model, …). */
      failFast?: FailFast;
    } = {},
  ) {
    this.limit = pLimit(settings.concurrency);
    this.spacingMs = settings.rpm === null ? 0 : Math.ceil(60_000 / settings.rpm);
    this.clock = hooks.clock ?? systemGateClock;
  }

  /** Waits out a running retry-after pause, then for this request's slot under the rpm limit. */
  private async waitForSlot(): Promise<void> {
    const pause = this.pausedUntil - this.clock.now();
    if (pause > 0) await this.clock.sleep(pause);
    if (this.spacingMs === 0) return;
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.spacingMs;
    if (slot > now) await this.clock.sleep(slot - now);
  }

  /** How long to wait before retry number `attempt` (1 = the first retry). */
  backoffDelay(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs;
    const { baseMs, capMs } = this.settings.backoff;
    const bound = Math.min(capMs, baseMs * 2 ** (attempt - 1));
    return Math.floor((this.hooks.random ?? Math.random)() * bound);
  }

  private async attemptOnce(request: ModelRequest, attempt: number): Promise<ModelResult> {
    return this.limit(async () => {
      await this.waitForSlot();
      if (this.hooks.abortSignal?.aborted) throw new StopRequest('aborted');
      const halted = this.hooks.failFast?.stopped;
      if (halted) throw new StopRequest(halted.message);
      if (!this.budget.tryReserve()) throw new StopRequest(this.budget.exhausted ?? 'budget exhausted');
      const started = performance.now();
      try {
        const result = await this.adapter.complete(request, {
          timeoutMs: this.settings.timeoutMs,
          ...(this.hooks.abortSignal ? { signal: this.hooks.abortSignal } : {}),
        });
        // Still inside the concurrency slot: a fatal sign stops the next queued request before it is sent.
        const failFast = this.hooks.failFast;
        if (failFast) {
          failFast.observeAttempt(result);
          const final = result.ok || !result.retryable || attempt >= this.settings.backoff.maxAttempts;
          if (final) failFast.observeFinal(result);
        }
        return result;
      } catch (err) {
        // The contract says adapters return failures; one that throws anyway must not take the run down.
        if (this.hooks.abortSignal?.aborted) throw new StopRequest('aborted');
        return {
          ok: false,
          error: `adapter error: ${err instanceof Error ? err.message : String(err)}`,
          retryable: false,
          latencyMs: performance.now() - started,
        };
      }
    });
  }

  async complete(request: ModelRequest): Promise<GateOutcome> {
    let attempts = 0;
    let costUsd = 0;
    const { maxAttempts, maxRetryAfterMs } = this.settings.backoff;
    try {
      const result = await pRetry(
        async () => {
          attempts += 1;
          const received = await this.attemptOnce(request, attempts);
          // Capped once here, where every reply enters the probe, so no store holds more than the cap.
          const result = received.ok ? { ...received, text: capReply(received.text) } : received;
          if (this.hooks.abortSignal?.aborted) throw new AbortError(new StopRequest('aborted'));
          // The request that showed the run cannot work is not an answer to keep: its image stays unasked.
          const halted = this.hooks.failFast?.stopped;
          if (halted) throw new AbortError(new StopRequest(halted.message));
          if (result.ok) costUsd += this.budget.record(result.usage, this.settings.price);
          this.hooks.onAttempt?.({ attempt: attempts, result });
          if (!result.ok && result.retryable) {
            if (result.retryAfterMs !== undefined) {
              if (result.retryAfterMs > maxRetryAfterMs) {
                return {
                  ...result,
                  error: `${result.error} (server asked to wait ${Math.round(result.retryAfterMs / 1000)} s, more than the ${Math.round(maxRetryAfterMs / 1000)} s allowed)`,
                };
              }
              this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + result.retryAfterMs);
            }
            throw new RetryableFailure(result);
          }
          return result;
        },
        {
          retries: maxAttempts - 1,
          // p-retry runs the attempts; the delay is ours (full jitter, or the server's retry-after).
          minTimeout: 0,
          maxTimeout: 0,
          shouldRetry: ({ error }) => error instanceof RetryableFailure,
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (error instanceof StopRequest) throw error;
            if (retriesLeft > 0 && error instanceof RetryableFailure) {
              await this.clock.sleep(this.backoffDelay(attemptNumber, error.result.retryAfterMs));
            }
          },
        },
      );
      return { kind: 'done', result, attempts, costUsd };
    } catch (err) {
      if (err instanceof RetryableFailure) {
        const last = err.result;
        const result = { ...last, error: `${last.error} (gave up after ${attempts} attempts)` };
        return { kind: 'done', result, attempts, costUsd };
      }
      if (err instanceof StopRequest) return { kind: 'stopped', reason: err.message };
      throw err;
    }
  }
}
