import { stat } from 'node:fs/promises';
import { loadModelsFile, type ModelConfig } from '../adapters/models-file.js';
import { createRandomAdapter } from '../adapters/random.js';
import type { EnvSource } from '../adapters/registry.js';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import { ProbeAnswerSource } from '../probe/answer-source.js';
import { PairAsker } from '../probe/ask-pair.js';
import { probeStores } from '../probe/stores.js';
import type { ModelAnswerSource, ModelPairAnswers, OfferedModel } from '../quiz/model-answers.js';
import type { Store } from '../store/types.js';

/** The chance baseline every quiz can include, even without a models file. */
export const RANDOM_BASELINE_ID = 'random';

export interface QuizModels {
  source: ModelAnswerSource;
  offered: OfferedModel[];
  /**
   * The one asker behind the models file's models (null without a models file). Live `/probe` questions
   * must go through it too, so that each model has one request gate: one concurrency and rpm limit.
   */
  asker: PairAsker | null;
}

export interface QuizModelsOptions {
  /** The models file; a missing file means "no models" (the random baseline is still offered). */
  modelsFile: string;
  env: EnvSource;
  store: Store;
  set: PairSet;
  /** Official data folder, for the prompt templates of live models. */
  dataDir: string;
  runsDir: string;
  log: Logger;
}

type Answerer = (pair: ConfusingPair, signal?: AbortSignal) => Promise<ModelPairAnswers>;

/**
 * A coin flip per image with the probe's random provider: the draw depends only on (seed, pair, image), so
 * it equals what `probe run` records for a `random` model with that seed, and it needs no prompt file (the
 * demo set has none).
 */
function coinFlips(id: string, seed: number): Answerer {
  const adapter = createRandomAdapter({ id, model: 'coin', seed });
  return async (pair) => {
    const flip = async (slot: ImageSlot) => {
      const result = await adapter.complete({
        system: null,
        prompt: '',
        image: null,
        temperature: null,
        maxTokens: 1,
        context: { pairId: pair.id, slot, purpose: 'answer' },
      });
      return result.ok ? (result.text as Option) : null;
    };
    const chosen: [Option | null, Option | null] = [await flip(0), await flip(1)];
    return { ok: true, chosen, raw: [chosen[0], chosen[1]] };
  };
}

function noteFor(model: ModelConfig): string {
  if (model.provider === 'random') return 'chance baseline (coin flips)';
  if (model.provider === 'replay') return 'recorded run';
  return model.live ? 'probe answers, else asked live' : 'probe answers (probe run)';
}

/**
 * What the quiz's model answers come from: the models file's models through the probe's answer source
 * (cached `probe run` answers; `live: true` models asked when the cache has none), and the `random` chance
 * baseline, always offered, even without a models file.
 */
export async function createQuizModels(options: QuizModelsOptions): Promise<QuizModels> {
  const fileModels = (await fileExists(options.modelsFile)) ? await loadModelsFile(options.modelsFile) : null;
  const answerers = new Map<string, Answerer>();
  const offered: OfferedModel[] = [];
  if (!fileModels?.models.some((m) => m.id === RANDOM_BASELINE_ID)) {
    answerers.set(RANDOM_BASELINE_ID, coinFlips(RANDOM_BASELINE_ID, 0));
    offered.push({ id: RANDOM_BASELINE_ID, note: 'chance baseline (coin flips)' });
  }
  let asker: PairAsker | null = null;
  if (fileModels !== null) {
    asker = new PairAsker({
      models: fileModels,
      env: options.env,
      stores: probeStores(options.store),
      set: options.set,
      dataDir: options.dataDir,
      runsDir: options.runsDir,
      log: options.log,
    });
    const probe = new ProbeAnswerSource(asker, options.log);
    for (const model of fileModels.models) {
      answerers.set(
        model.id,
        model.provider === 'random'
          ? coinFlips(model.id, model.seed)
          : (pair, signal) => probe.answersFor(model.id, pair, signal ? { signal } : {}),
      );
      offered.push({ id: model.id, note: noteFor(model) });
    }
  }
  return {
    offered,
    asker,
    source: {
      async knownModels() {
        return [...answerers.keys()];
      },
      async answersFor(modelId, pair, callOptions) {
        const answer = answerers.get(modelId);
        if (answer === undefined) return { ok: false, reason: `unknown model ${modelId}` };
        return answer(pair, callOptions?.signal);
      },
    },
  };
}

async function fileExists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() === true;
}
