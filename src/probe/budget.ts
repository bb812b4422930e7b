import type { Usage } from '../adapters/types.js';
import { UserFacingError } from '../errors.js';

/** US dollars per million tokens, as the models file gives them. */
export interface Price {
  input: number;
  output: number;
}

export function costOf(usage: Usage, price: Price | null): number {
  if (price === null) return 0;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

export interface BudgetLimits {
  maxRequests: number | null;
  maxCostUsd: number | null;
}

/**
 * The run's hard spending limit, shared by every model a run asks (the answering model and the judge).
 * A request slot is reserved before sending, so `maxRequests` is never exceeded; cost is only known once a
 * reply arrives, so requests already in flight when the limit is reached may take it slightly past.
 */
export class Budget {
  requests = 0;
  costUsd = 0;
  inputTokens = 0;
  outputTokens = 0;
  private exhaustedReason: string | null = null;

  constructor(readonly limits: BudgetLimits) {}

  /** Takes one request slot; false once a limit is reached (and from then on). */
  tryReserve(): boolean {
    if (this.exhaustedReason !== null) return false;
    const { maxRequests, maxCostUsd } = this.limits;
    if (maxRequests !== null && this.requests >= maxRequests) {
      this.exhaustedReason = `--max-requests ${maxRequests} reached`;
      return false;
    }
    if (maxCostUsd !== null && this.costUsd >= maxCostUsd) {
      this.exhaustedReason = `--max-cost ${maxCostUsd} USD reached (spent ${this.costUsd.toFixed(4)} USD)`;
      return false;
    }
    this.requests += 1;
    return true;
  }

  record(usage: Usage, price: Price | null): number {
    const cost = costOf(usage, price);
    this.costUsd += cost;
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    return cost;
  }

  get exhausted(): string | null {
    return this.exhaustedReason;
  }
}

/** A cost limit needs prices for every model that will be asked, or it could never trigger. */
export function requirePrices(
  maxCostUsd: number | null,
  models: Array<{ id: string; price: Price | null }>,
): void {
  if (maxCostUsd === null) return;
  const unpriced = models.filter((m) => m.price === null).map((m) => m.id);
  if (unpriced.length > 0) {
    throw new UserFacingError(
      'PROBE_NO_PRICE',
      `--max-cost needs a price for every model asked, but ${unpriced.join(', ')} has no \`price\` in the models file.`,
    );
  }
}
