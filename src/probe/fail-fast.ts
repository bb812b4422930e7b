import type { ModelResult } from '../adapters/types.js';

/**
 * Decides when a run cannot work and must stop at once instead of sending every remaining request: a
 * rejected key, an unknown model, a parameter the endpoint refuses, an address where nothing listens or a
 * web page answering instead of the API, and the same failure on each of the first requests. It watches
 * every attempt inside the request gate (before the next queued request is let through), so at most the
 * requests already in flight — one per concurrency slot — are sent after the first sign.
 */

export type StopKind = 'auth' | 'config' | 'unreachable' | 'repeated';

export interface FailFastStop {
  kind: StopKind;
  /** What to tell the user: the server's message (secrets already removed) and what to check. */
  message: string;
}

/** Identical final failures on the first requests, with no reply in between, that stop a run. */
export const REPEATED_FAILURES = 3;

/** An error text without its numbers, so "… 431 ms" and "… 402 ms" count as the same failure. */
function signature(result: Extract<ModelResult, { ok: false }>): string {
  return `${result.status ?? '-'}|${result.failure ?? '-'}|${result.error.replace(/\d+/g, '#')}`;
}

export class FailFast {
  private stopReason: FailFastStop | null = null;
  private answered = false;
  private lastSignature: string | null = null;
  private repeats = 0;

  constructor(
    private readonly where: { modelId: string; baseURL: string | null },
    private readonly threshold = REPEATED_FAILURES,
  ) {}

  get stopped(): FailFastStop | null {
    return this.stopReason;
  }

  private stop(kind: StopKind, message: string): void {
    this.stopReason ??= { kind, message };
  }

  /** Every attempt's result, retries included. */
  observeAttempt(result: ModelResult): void {
    if (result.ok) {
      this.answered = true;
      return;
    }
    const model = `model "${this.where.modelId}"`;
    const at = this.where.baseURL ?? "the provider's own API";
    switch (result.failure) {
      case 'auth':
        this.stop('auth', `${model} was refused (authentication or permission): ${result.error}`);
        return;
      case 'not-found':
        this.stop(
          'config',
          `${model} was not found at ${at}: ${result.error}. Check \`model\` and \`baseURL\` in the models file.`,
        );
        return;
      case 'unsupported-parameter':
        this.stop('config', `${model}: the server refused a request parameter: ${result.error}`);
        return;
      case 'not-api':
        // A model that answered before is not suddenly a web page: a proxy hiccup, left to the retry layer.
        if (!this.answered) {
          this.stop('config', `${model}: ${result.error}. Check \`baseURL\` in the models file (${at}).`);
        }
        return;
      case 'unreachable':
        if (!this.answered) this.stop('unreachable', `${model}: nothing answers at ${at}: ${result.error}`);
        return;
      default:
        return;
    }
  }

  /** Every request's final result, after its retries. */
  observeFinal(result: ModelResult): void {
    if (result.ok) {
      this.answered = true;
      return;
    }
    if (this.answered) return;
    const sig = signature(result);
    this.repeats = sig === this.lastSignature ? this.repeats + 1 : 1;
    this.lastSignature = sig;
    if (this.repeats >= this.threshold) {
      this.stop(
        'repeated',
        `model "${this.where.modelId}": the first ${this.repeats} requests all failed the same way, and none was answered: ${result.error}`,
      );
    }
  }
}
