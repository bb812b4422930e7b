import type { ModelConfig } from '../adapters/models-file.js';
import type { LiveProbeConfig } from '../config.js';
import type { ConfusingPair } from '../dataset/model.js';
import { isUserFacingError, UserFacingError } from '../errors.js';
import type { PairAnswers, PairAsker } from '../probe/ask-pair.js';
import { type Clock, systemClock } from '../quiz/clock.js';
import type { Store } from '../store/types.js';
import { Cooldown } from './cooldown.js';
import { DailyBudget, type ReserveResult } from './daily-budget.js';

/**
 * Live questions to a model on demand (`/probe`): which models may be asked, and who may ask when. A
 * question passes the asker's cooldown, then reserves its requests in the scope's daily budget; once the
 * model has answered, the budget is settled with what the question really cost.
 */

/** Each live question asks both images of a pair once (retries are settled afterwards). */
const REQUESTS_PER_QUESTION = 2;

export type LiveRefusal =
  | { kind: 'cooldown'; retryAt: number }
  | ({ kind: 'budget' } & Extract<ReserveResult, { ok: false }>);

export interface LiveAnswer {
  answers: PairAnswers;
  requests: number;
  costUsd: number;
}

/** An admitted question: ask it once. */
export interface LiveTicket {
  ask(pair: ConfusingPair): Promise<LiveAnswer>;
}

export interface LiveProbeOptions {
  asker: PairAsker;
  /** Where the daily budget is kept. */
  store: Store;
  limits: LiveProbeConfig;
  clock?: Clock;
}

export class LiveProbe {
  readonly limits: LiveProbeConfig;
  private readonly asker: PairAsker;
  private readonly cooldown: Cooldown;
  private readonly budget: DailyBudget;
  /** What the model's last question cost: the estimate a reservation holds. */
  private readonly lastCost = new Map<string, number>();

  constructor(options: LiveProbeOptions) {
    const clock = options.clock ?? systemClock;
    this.limits = options.limits;
    this.asker = options.asker;
    this.cooldown = new Cooldown(options.limits.cooldownSeconds, clock);
    this.budget = new DailyBudget(
      options.store,
      { requests: options.limits.dailyRequests, costUsd: options.limits.dailyCostUsd },
      clock,
    );
  }

  /** The models marked `live: true` in the models file. */
  liveModels(): ModelConfig[] {
    return this.asker.models.filter((model) => model.live);
  }

  /** The live model with this id, or a UserFacingError naming the ones there are. */
  liveModel(id: string): ModelConfig {
    const live = this.liveModels();
    const model = live.find((m) => m.id === id);
    if (model !== undefined) return model;
    if (live.length === 0) {
      throw new UserFacingError(
        'LIVE_MODEL_NONE',
        'No model is set up for live questions yet: whoever runs the bot can mark one `live: true` in the models file.',
      );
    }
    const known = this.asker.models.some((m) => m.id === id);
    throw new UserFacingError(
      'LIVE_MODEL_UNKNOWN',
      `${known ? `The model "${id}" is not offered for live questions` : `There is no model "${id}"`}. ` +
        `Live models: ${live.map((m) => m.id).join(', ')}.`,
    );
  }

  /** Lets the question through, or says why not (cooldown, budget). Throws for a model that is not live. */
  async admit(request: {
    userId: string;
    /** Whose daily budget pays: the server (or the person, outside servers). */
    scope: string;
    modelId: string;
  }): Promise<{ ok: true; ticket: LiveTicket } | { ok: false; refusal: LiveRefusal }> {
    const model = this.liveModel(request.modelId);
    const turn = this.cooldown.take(request.userId);
    if (!turn.ok) return { ok: false, refusal: { kind: 'cooldown', retryAt: turn.retryAt } };
    let reserved: ReserveResult;
    try {
      reserved = await this.budget.reserve(request.scope, {
        requests: REQUESTS_PER_QUESTION,
        costUsd: this.lastCost.get(model.id) ?? 0,
      });
    } catch (err) {
      turn.release();
      throw err;
    }
    if (!reserved.ok) {
      turn.release();
      return { ok: false, refusal: { kind: 'budget', ...reserved } };
    }
    const { reservation } = reserved;
    let used = false;
    return {
      ok: true,
      ticket: {
        ask: async (pair) => {
          if (used) throw new Error('a live ticket asks once');
          used = true;
          let answers: PairAnswers;
          try {
            answers = await this.asker.askPair(model.id, pair, { policy: 'fresh' });
          } catch (err) {
            // A mistake (missing key, image or prompts) fails before anything is sent: nothing was spent.
            // Anything else may have spent some, so the reservation stands.
            if (isUserFacingError(err)) await this.budget.settle(reservation, { requests: 0, costUsd: 0 });
            throw err;
          }
          const images = answers.images.filter((image) => image !== null);
          const requests = images.reduce((sum, image) => sum + image.requests, 0);
          const costUsd = images.reduce((sum, image) => sum + image.costUsd, 0);
          this.lastCost.set(model.id, costUsd);
          await this.budget.settle(reservation, { requests, costUsd });
          return { answers, requests, costUsd };
        },
      },
    };
  }

  /** What the scope has used today, for messages. */
  usedToday(scope: string) {
    return this.budget.today(scope);
  }
}
