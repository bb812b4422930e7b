import { findModel, type ModelConfig, type ModelsFile } from '../adapters/models-file.js';
import { createAdapter, type EnvSource } from '../adapters/registry.js';
import type { ModelAdapter } from '../adapters/types.js';
import { findImageFile, imageCandidates } from '../dataset/images.js';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEFAULT_THRESHOLD } from '../scoring/choice.js';
import type { OptionScores } from '../scoring/mc-parser.js';
import { answerKeyFor, answerRequestFor, completionOf } from './answer-request.js';
import { Budget } from './budget.js';
import { loadImage } from './images.js';
import { mcVerdict } from './outcome.js';
import {
  loadPromptsFile,
  type PromptsFile,
  type ProtocolPrompts,
  protocolPrompts,
  TOP_LOGPROBS,
} from './prompts.js';
import { withReplyConfidence } from './protocols/verdicts.js';
import { findRecordedRun } from './recorded-runs.js';
import type { CachedCompletion, Outcome } from './records.js';
import { createRecordedRunAdapter } from './replay.js';
import { type BackoffSettings, DEFAULT_BACKOFF, RequestGate } from './request-gate.js';
import type { ProbeStores } from './stores.js';

/**
 * Asks models of the models file about both images of one pair, outside a run: for the quiz's model answers
 * and the `/probe` live demo. Each image is asked exactly as `probe run --protocol mc` asks it (same request,
 * same cache key, same parser), through one request gate per model, so the model's `concurrency`, `rpm` and
 * the single retry layer hold across every quiz round and demo at once.
 */

export type AskPolicy =
  /** Only what the cache holds; nothing is sent. */
  | 'cached'
  /** The cached answer, else ask now (a cached failure is asked again). */
  | 'cached-or-ask'
  /** Ask now, whatever the cache holds (the live demo). */
  | 'fresh';

export interface ImageAnswer {
  slot: ImageSlot;
  /** The option that is right for this image. */
  correct: Option;
  outcome: Outcome;
  /** The option the official rule picks from the reply; null for INVALID and ERROR. */
  chosen: Option | null;
  /** The official parser's scores; null for ERROR. */
  scores: OptionScores | null;
  /** The model's raw reply; null when the request failed. */
  reply: string | null;
  /** The probability of the chosen option, when the cached reply carries log-probabilities; else null. */
  confidence: number | null;
  /** Why the image is INVALID or ERROR. */
  reason: string | null;
  latencyMs: number;
  /** Requests sent now (retries included); 0 for a cached answer. */
  requests: number;
  /** Spent now, from the models file's price; 0 for a cached answer or an unpriced model. */
  costUsd: number;
  cached: boolean;
}

export interface PairAnswers {
  model: ModelConfig;
  pair: ConfusingPair;
  /** Per image; null where the policy was `cached` and the cache held nothing. */
  images: [ImageAnswer | null, ImageAnswer | null];
}

export interface PairAskerOptions {
  models: ModelsFile;
  /** Where the secrets named in the models file are read. */
  env: EnvSource;
  stores: ProbeStores;
  /** The set the pairs come from (for its images folder). */
  set: PairSet;
  /** The data folder holding the official prompt templates. */
  dataDir: string;
  runsDir?: string;
  log: Logger;
  backoff?: BackoffSettings;
  threshold?: number;
}

interface ModelSlot {
  adapter: ModelAdapter;
  gate: RequestGate;
  prompts: ProtocolPrompts;
}

/** Offline providers answer instantly and for free, so they never need a cached answer. */
export function answersWithoutCache(model: ModelConfig): boolean {
  return model.live || model.provider === 'replay' || model.provider === 'random';
}

export class PairAsker {
  private readonly slots = new Map<string, Promise<ModelSlot>>();
  private promptsFile: Promise<PromptsFile> | undefined;
  private readonly threshold: number;

  constructor(private readonly options: PairAskerOptions) {
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
  }

  get models(): readonly ModelConfig[] {
    return this.options.models.models;
  }

  /** The model with this id, or a UserFacingError listing the ids the models file has. */
  model(id: string): ModelConfig {
    return findModel(this.options.models, id);
  }

  async askPair(modelId: string, pair: ConfusingPair, options: { policy: AskPolicy }): Promise<PairAnswers> {
    const model = this.model(modelId);
    const slot = await this.slotFor(model);
    const [first, second] = await Promise.all([
      this.askImage(model, slot, pair, 0, options.policy),
      this.askImage(model, slot, pair, 1, options.policy),
    ]);
    return { model, pair, images: [first, second] };
  }

  private async askImage(
    model: ModelConfig,
    { adapter, gate, prompts }: ModelSlot,
    pair: ConfusingPair,
    slot: ImageSlot,
    policy: AskPolicy,
  ): Promise<ImageAnswer | null> {
    const image = await loadImage(await this.imageFile(pair, slot), `Pair ${pair.id}, image ${slot + 1}`);
    const key = answerKeyFor(adapter.identity, prompts, pair, image);
    // A reply cached by `probe run --logprobs` is the same question with its confidence: preferred when present.
    const withConfidence =
      policy === 'fresh'
        ? undefined
        : await this.options.stores.cache.get(
            answerKeyFor(adapter.identity, prompts, pair, image, {
              logprobs: { kind: 'reply', top: TOP_LOGPROBS },
            }),
          );
    if (withConfidence?.ok) {
      return this.answerOf(pair, slot, withConfidence, { cached: true, requests: 0, costUsd: 0 });
    }
    const cached = await this.options.stores.cache.get(key);
    if (policy !== 'fresh' && cached !== undefined && (cached.ok || policy === 'cached')) {
      return this.answerOf(pair, slot, cached, { cached: true, requests: 0, costUsd: 0 });
    }
    if (policy === 'cached') return null;
    const outcome = await gate.complete(answerRequestFor(prompts, pair, slot, image));
    // The gate's budget has no limits and it has no abort signal, so it always ends with a result.
    if (outcome.kind === 'stopped')
      throw new Error(`the request gate of ${model.id} stopped: ${outcome.reason}`);
    const completion = completionOf(outcome);
    // Only replies are kept, and never over one a run may have used: a failure now may pass next time, and a
    // demo must not change what a later run of the same settings reads.
    if (completion.ok && (cached === undefined || !cached.ok)) {
      await this.options.stores.cache.set(key, completion);
    }
    return this.answerOf(pair, slot, completion, {
      cached: false,
      requests: outcome.attempts,
      costUsd: outcome.costUsd,
    });
  }

  private answerOf(
    pair: ConfusingPair,
    slot: ImageSlot,
    completion: CachedCompletion,
    extra: { cached: boolean; requests: number; costUsd: number },
  ): ImageAnswer {
    const verdict = withReplyConfidence(mcVerdict(completion, this.threshold), completion);
    const confidence =
      verdict.chosen !== null && verdict.probabilities ? verdict.probabilities[verdict.chosen] : null;
    return {
      slot,
      correct: pair.images[slot].correct,
      outcome: verdict.outcome,
      chosen: verdict.chosen,
      confidence,
      scores: verdict.scores,
      reply: completion.ok ? completion.text : null,
      reason: verdict.reason,
      latencyMs: Math.round(completion.latencyMs),
      ...extra,
    };
  }

  private async imageFile(pair: ConfusingPair, slot: ImageSlot): Promise<string> {
    const image = pair.images[slot];
    const file = await findImageFile(image, this.options.set.imagesDir);
    if (file !== null) return file;
    const expected = imageCandidates(image, this.options.set.imagesDir)[0] ?? image.localId;
    throw new UserFacingError(
      'PROBE_IMAGES_MISSING',
      `Image ${slot + 1} of pair ${pair.id} is missing (${expected}); run \`mediconfusion data fetch\`.`,
    );
  }

  private prompts(): Promise<PromptsFile> {
    if (this.promptsFile === undefined) {
      const loading = loadPromptsFile(this.options.dataDir);
      this.promptsFile = loading;
      // Not kept when it fails: the data may be fetched while the bot runs.
      loading.catch(() => {
        if (this.promptsFile === loading) this.promptsFile = undefined;
      });
    }
    return this.promptsFile;
  }

  private slotFor(model: ModelConfig): Promise<ModelSlot> {
    let slot = this.slots.get(model.id);
    if (slot === undefined) {
      const building = this.buildSlot(model);
      slot = building;
      this.slots.set(model.id, building);
      // A missing credential or prompts file is reported each time until fixed, not remembered.
      building.catch(() => {
        if (this.slots.get(model.id) === building) this.slots.delete(model.id);
      });
    }
    return slot;
  }

  private async buildSlot(model: ModelConfig): Promise<ModelSlot> {
    const { stores, env, runsDir, log } = this.options;
    const adapter = await createAdapter(model, env, {
      ...(runsDir !== undefined ? { runsDir } : {}),
      factories: {
        replay: async (config) => {
          const record = await findRecordedRun(stores, config.run);
          return createRecordedRunAdapter({ id: config.id, runId: record.id, items: stores.items });
        },
      },
    });
    const prompts = protocolPrompts(
      await this.prompts(),
      'mc',
      {
        promptKey: model.promptKey,
        reasoning: adapter.reasoning,
        acceptsTemperature: adapter.acceptsTemperature,
        thinkingBudget: adapter.thinkingBudget,
      },
      { maxTokens: 'maxTokens' in model ? model.maxTokens : undefined },
    );
    const gate = new RequestGate(
      adapter,
      {
        concurrency: model.concurrency,
        rpm: model.rpm,
        timeoutMs: model.timeoutMs,
        price: model.price,
        backoff: this.options.backoff ?? DEFAULT_BACKOFF,
      },
      // Spending is limited by whoever asks (the live demo's daily budget), not per request.
      new Budget({ maxRequests: null, maxCostUsd: null }),
      {
        onAttempt: ({ attempt, result }) => {
          if (!result.ok) log.debug({ model: model.id, attempt, error: result.error }, 'request failed');
        },
      },
    );
    return { adapter, gate, prompts };
  }
}
