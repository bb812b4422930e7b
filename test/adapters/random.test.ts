import { describe, expect, it } from 'vitest';
import { createRandomAdapter } from '../../src/adapters/random.js';
import type { ModelRequest } from '../../src/adapters/types.js';
import { answerRequest } from './requests.js';

const coin = (seed = 0) => createRandomAdapter({ id: 'random', model: 'coin-flip', seed });

async function replyTo(seed: number, pairId: string, slot: 0 | 1, purpose: 'answer' | 'judge' = 'answer') {
  const request: ModelRequest = await answerRequest({ context: { pairId, slot, purpose } });
  const result = await coin(seed).complete(request);
  if (!result.ok) throw new Error(result.error);
  return result.text;
}

/** Every question of a 176-pair run, in order. */
const QUESTIONS = Array.from({ length: 176 }, (_, i) => String(10001 + i)).flatMap((pairId) =>
  ([0, 1] as const).map((slot) => ({ pairId, slot })),
);

describe('random baseline', () => {
  it('replies A or B, with zero usage', async () => {
    const result = await coin().complete(await answerRequest());
    expect(result).toMatchObject({ ok: true, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(result.ok && result.text).toMatch(/^[AB]$/);
  });

  it('gives the same answer to the same (seed, pair, slot) whatever was asked before', async () => {
    const forward: string[] = [];
    for (const q of QUESTIONS) forward.push(await replyTo(0, q.pairId, q.slot));
    const backward: string[] = [];
    for (const q of [...QUESTIONS].reverse()) backward.push(await replyTo(0, q.pairId, q.slot));
    expect(backward.reverse()).toEqual(forward);
  });

  it('draws both letters about equally often over a run', async () => {
    const answers = await Promise.all(QUESTIONS.map((q) => replyTo(0, q.pairId, q.slot)));
    const a = answers.filter((x) => x === 'A').length;
    // 352 fair flips: 176 ± 3 standard deviations (≈ 28).
    expect(a).toBeGreaterThan(148);
    expect(a).toBeLessThan(204);
  });

  it('answers differently under another seed', async () => {
    const seed0 = await Promise.all(QUESTIONS.map((q) => replyTo(0, q.pairId, q.slot)));
    const seed1 = await Promise.all(QUESTIONS.map((q) => replyTo(1, q.pairId, q.slot)));
    expect(seed1).not.toEqual(seed0);
  });

  it('keeps the seed in its identity so answers of different seeds are cached apart', () => {
    expect(coin(0).identity).not.toEqual(coin(1).identity);
    expect(coin(7).identity).toEqual({ provider: 'random', baseURL: null, model: 'coin-flip#seed=7' });
  });

  it('answers a judge request in the official judge format with scores from 1 to 10', async () => {
    const text = await replyTo(0, '10001', 0, 'judge');
    const match = /^A: (\d+)\nB: (\d+)\nYour explanation: .+$/.exec(text);
    expect(match).not.toBeNull();
    for (const score of [Number(match?.[1]), Number(match?.[2])]) {
      expect(score).toBeGreaterThanOrEqual(1);
      expect(score).toBeLessThanOrEqual(10);
    }
  });

  it('answers without a request context too, deterministically', async () => {
    const request = await answerRequest({ context: undefined });
    const first = await coin().complete(request);
    expect(await coin().complete(request)).toEqual(first);
  });

  it('returns an aborted request as a failure instead of answering', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await coin().complete(await answerRequest(), { signal: controller.signal });
    expect(result).toMatchObject({ ok: false, retryable: false });
  });
});
