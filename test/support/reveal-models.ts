import { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';

/**
 * The two models the web and bot harnesses put in a reveal: `oracle`, always right, and `always-a`, which
 * answers A for both images (so it is confused on every pair).
 */
export function oracleAndAlwaysA(): InMemoryModelAnswers {
  return new InMemoryModelAnswers()
    .setModel('oracle', async (pair) => ({
      ok: true,
      chosen: [pair.images[0].correct, pair.images[1].correct],
      raw: [pair.images[0].correct, pair.images[1].correct],
    }))
    .setModel('always-a', { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] });
}
