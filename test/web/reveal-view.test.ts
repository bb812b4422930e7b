import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfusingPair, PairSet } from '../../src/dataset/model.js';
import { computeReveal } from '../../src/quiz/reveal.js';
import { revealView } from '../../src/web/views.js';
import { loadSet } from '../quiz/harness.js';

let set: PairSet;
beforeAll(async () => {
  set = await loadSet();
});

describe('the web reveal of a model answer', () => {
  it('carries how sure the model was for each image when its run recorded probabilities, null otherwise', () => {
    const pair = set.pairs[0] as ConfusingPair;
    const [first] = pair.images;
    const reveal = computeReveal({
      sessionId: 's',
      roomId: 'r',
      round: 1,
      pair,
      people: [],
      models: [
        {
          modelId: 'sure-model',
          status: 'answered',
          chosen: [first.correct, first.correct],
          raw: ['x', 'x'],
          confidence: [0.966, null],
        },
        {
          modelId: 'plain-model',
          status: 'answered',
          chosen: [first.correct, first.correct],
          raw: ['x', 'x'],
        },
      ],
      closedAt: 0,
      closedBy: 'timer',
    });
    const [sure, plain] = revealView(reveal).models;
    expect(sure?.confidence).toEqual([0.966, null]);
    expect(plain?.confidence).toEqual([null, null]);
  });
});
