import { resolveBaselineSecret } from '../baseline/pseudonym.js';
import { recordedRunAnswers } from '../baseline/recorded-models.js';
import { BaselineService } from '../baseline/service.js';
import type { Config } from '../config.js';
import type { PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { QuizMemory } from '../quiz/quiz-archive.js';
import type { Store } from '../store/types.js';

/**
 * The private human baseline of a process that serves people (`start`, and each shard process of
 * `start --shards`), built the same way in each: the secret its pseudonyms are made with, reveals from
 * recorded probe runs only, and forget-me reaching the quiz memory it is given.
 */
export async function openBaseline(options: {
  store: Store;
  set: PairSet;
  config: Config;
  log: Logger;
  /** What forget-me clears in memory: this process's engine, or every shard's (shard-process.ts). */
  quiz: QuizMemory;
}): Promise<{ service: BaselineService; secret: string }> {
  const { store, log } = options;
  // Without BASELINE_SECRET a local set-up keeps a generated one in its store, so pseudonyms stay stable
  // across restarts; a BASELINE_SECRET other than the one the records were made with stops start-up here.
  const secret = await resolveBaselineSecret({
    configured: options.config.baselineSecret,
    whenMissing: 'store',
    store,
    log,
  });
  const recorded = recordedRunAnswers(store);
  const service = new BaselineService({
    store,
    set: options.set,
    secret,
    log: log.child({ component: 'baseline' }),
    // Reveals show recorded probe runs only: a participant's reveal never costs an API call.
    models: { source: recorded, ids: await recorded.knownModels() },
    quiz: options.quiz,
  });
  await service.verifySecret();
  return { service, secret };
}
