import type { ConfusingPair } from '../dataset/model.js';
import { isUserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ModelAnswerSource, ModelPairAnswers } from '../quiz/model-answers.js';
import { answersWithoutCache, type PairAnswers, type PairAsker } from './ask-pair.js';

/**
 * The quiz's model answers, from the probe: every model of the models file answers a pair's two images
 * from the probe cache, where `probe run --model X` left them. Models marked `live: true` (and the offline
 * `replay` and `random` providers) are asked at once when the cache has nothing, and their replies are
 * cached so the next round with that pair is instant. Reasons are shown to players: short, no secrets.
 */

const REASON_LIMIT = 140;

function short(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > REASON_LIMIT ? `${line.slice(0, REASON_LIMIT - 1)}…` : line;
}

/** What the quiz shows for a pair's answers: the choices, or the first reason there are none. */
export function pairAnswersForQuiz(answers: PairAnswers): ModelPairAnswers {
  const [first, second] = answers.images;
  if (first === null || second === null) {
    return {
      ok: false,
      reason: `no cached answer; run \`mediconfusion probe run --model ${answers.model.id}\``,
    };
  }
  const failed = [first, second].find((image) => image.outcome === 'ERROR');
  if (failed !== undefined) return { ok: false, reason: short(failed.reason ?? 'the request failed') };
  // INVALID replies are answers: the model was asked and gave no clear choice.
  const confidence: [number | null, number | null] = [first.confidence, second.confidence];
  return {
    ok: true,
    chosen: [first.chosen, second.chosen],
    raw: [first.reply, second.reply],
    ...(confidence.some((c) => c !== null) ? { confidence } : {}),
  };
}

export class ProbeAnswerSource implements ModelAnswerSource {
  constructor(
    private readonly asker: PairAsker,
    private readonly log: Logger,
  ) {}

  async knownModels(): Promise<readonly string[]> {
    return this.asker.models.map((model) => model.id);
  }

  async answersFor(
    modelId: string,
    pair: ConfusingPair,
    options: { signal?: AbortSignal } = {},
  ): Promise<ModelPairAnswers> {
    const model = this.asker.models.find((m) => m.id === modelId);
    if (model === undefined) return { ok: false, reason: `unknown model ${short(modelId)}` };
    const policy = answersWithoutCache(model) ? 'cached-or-ask' : 'cached';
    const work = this.asker.askPair(modelId, pair, { policy }).then(pairAnswersForQuiz, (err: unknown) => {
      if (isUserFacingError(err)) return { ok: false as const, reason: short(err.message) };
      throw err;
    });
    const { signal } = options;
    if (signal === undefined) return work;
    // An abandoned request still finishes in the background, so its reply is cached for next time; nobody
    // awaits it any more, so a failure is logged here.
    work.catch((err: unknown) => {
      if (signal.aborted) this.log.error({ err, modelId, pairId: pair.id }, 'model answer failed');
    });
    return Promise.race([
      work,
      new Promise<ModelPairAnswers>((resolve) => {
        const stop = () => resolve({ ok: false, reason: 'stopped before the model answered' });
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
        void work.finally(() => signal.removeEventListener('abort', stop)).catch(() => undefined);
      }),
    ]);
  }
}
