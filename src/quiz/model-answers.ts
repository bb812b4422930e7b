import type { ConfusingPair, Option } from '../dataset/model.js';

/** A model's answers to both images of a pair: the parsed choice (null = no clear choice) and its reply. */
export type ModelPairAnswers =
  | {
      ok: true;
      chosen: [Option | null, Option | null];
      raw: [string | null, string | null];
      /** The model's probability of each chosen option, when known (e.g. a run with --logprobs). */
      confidence?: [number | null, number | null];
    }
  | { ok: false; reason: string };

/** A model a host may add to a quiz, with how it answers (for the host's menu). */
export interface OfferedModel {
  id: string;
  note: string;
}

/**
 * Where the reveal gets model answers. The probe's cache implements it for real (cached runs answer at once,
 * "live" models are asked when a round opens); tests use {@link InMemoryModelAnswers}.
 * `answersFor` should return failures as `{ ok: false, reason }` (shown to players, so keep it short and free
 * of secrets); a thrown error is treated the same way and logged as a bug.
 */
export interface ModelAnswerSource {
  /** Model ids that can take part; `start` refuses any other with UNKNOWN_MODEL. */
  knownModels(): Promise<readonly string[]>;
  answersFor(
    modelId: string,
    pair: ConfusingPair,
    options?: { signal?: AbortSignal },
  ): Promise<ModelPairAnswers>;
}

type Entry = ModelPairAnswers | ((pair: ConfusingPair, signal?: AbortSignal) => Promise<ModelPairAnswers>);

/**
 * An in-memory source: per model, either fixed answers per pair id, a failure, or a function (to play a live
 * model that answers later or never). Missing pairs answer `{ ok: false, reason: 'no answer stored …' }`.
 */
export class InMemoryModelAnswers implements ModelAnswerSource {
  private readonly models = new Map<string, Map<string, Entry> | Entry>();

  /** Fixed answers for some pairs of a model. */
  setAnswers(modelId: string, answers: Record<string, ModelPairAnswers>): this {
    this.models.set(modelId, new Map(Object.entries(answers)));
    return this;
  }

  /** One answer (or answering function) for every pair of a model. */
  setModel(modelId: string, entry: Entry): this {
    this.models.set(modelId, entry);
    return this;
  }

  async knownModels(): Promise<readonly string[]> {
    return [...this.models.keys()];
  }

  async answersFor(
    modelId: string,
    pair: ConfusingPair,
    options?: { signal?: AbortSignal },
  ): Promise<ModelPairAnswers> {
    const model = this.models.get(modelId);
    if (model === undefined) return { ok: false, reason: `unknown model ${modelId}` };
    const entry = model instanceof Map ? model.get(pair.id) : model;
    if (entry === undefined) return { ok: false, reason: `no answer stored for pair ${pair.id}` };
    return typeof entry === 'function' ? entry(pair, options?.signal) : entry;
  }
}

/** A model's request for the current round, started when the round opens and read (never awaited) at reveal. */
export interface TrackedModelRequest {
  modelId: string;
  result: ModelPairAnswers | null;
  /** Resolves when the request settles, successfully or not; never rejects. */
  settled: Promise<void>;
}

/**
 * Starts a model's request and records its result when it arrives. Errors thrown by the source become
 * failures (`onError` lets the caller log them): a broken model must not break the reveal.
 */
export function trackModelRequest(
  source: ModelAnswerSource,
  modelId: string,
  pair: ConfusingPair,
  signal: AbortSignal,
  onError: (err: unknown) => void,
): TrackedModelRequest {
  const tracked: TrackedModelRequest = { modelId, result: null, settled: Promise.resolve() };
  tracked.settled = (async () => {
    try {
      tracked.result = await source.answersFor(modelId, pair, { signal });
    } catch (err) {
      onError(err);
      tracked.result = { ok: false, reason: 'the model could not be reached' };
    }
  })();
  return tracked;
}
