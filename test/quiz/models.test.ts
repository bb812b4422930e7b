import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfusingPair } from '../../src/dataset/model.js';
import type { ModelPairAnswers } from '../../src/quiz/model-answers.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import { current } from '../support/quiz-round.js';
import { type Harness, member, openHarness, recordEvents, revealsIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

/** A live model the test answers by hand, recording when it was asked. */
function liveModel() {
  const asked: Array<{ pair: ConfusingPair; at: number; answer: (a: ModelPairAnswers) => void }> = [];
  const fn = (pair: ConfusingPair) =>
    new Promise<ModelPairAnswers>((resolve) => {
      asked.push({ pair, at: h.clock.now(), answer: resolve });
    });
  return { asked, fn };
}

describe('model answers at the reveal', () => {
  it('shows each model with right/wrong marks, a failure with its reason, and a live model still pending', async () => {
    const live = liveModel();
    h.models
      .setModel('right', (pair) =>
        Promise.resolve({
          ok: true,
          chosen: [pair.images[0].correct, pair.images[1].correct],
          raw: ['The answer is A', 'B'],
        }),
      )
      .setModel('confused', { ok: true, chosen: ['B', 'B'], raw: ['B', 'B'] })
      .setModel('unsure', { ok: true, chosen: [null, 'A'], raw: ['I cannot tell', 'A'] })
      .setModel('broken', { ok: false, reason: 'rate limited (HTTP 429)' })
      .setModel('live', live.fn);
    const { round } = await h.engine.start({
      roomId: 'room',
      hostUserId: 'host',
      models: ['right', 'confused', 'unsure', 'broken', 'live'],
    });
    // The live model was asked when the round opened, not at the reveal.
    expect(live.asked.map((a) => [a.pair.id, a.at])).toEqual([[round.pair.id, round.startedAt]]);

    const events = recordEvents(h.engine);
    h.clock.time = round.deadline;
    await h.engine.settled();
    const [reveal] = revealsIn(events);
    const pair = round.pair;
    expect(reveal?.models).toEqual([
      {
        modelId: 'right',
        status: 'answered',
        raw: ['The answer is A', 'B'],
        score: scorePair(pair, [pair.images[0].correct, pair.images[1].correct]),
      },
      { modelId: 'confused', status: 'answered', raw: ['B', 'B'], score: scorePair(pair, ['B', 'B']) },
      {
        modelId: 'unsure',
        status: 'answered',
        raw: ['I cannot tell', 'A'],
        score: scorePair(pair, [null, 'A']),
      },
      { modelId: 'broken', status: 'failed', reason: 'rate limited (HTTP 429)' },
      { modelId: 'live', status: 'pending', code: 'STILL_ANSWERING' },
    ]);
    expect(reveal?.models[1]).toMatchObject({ score: { confused: true, setCorrect: false } });

    // An answer arriving after the reveal does not change what was revealed.
    live.asked[0]?.answer({ ok: true, chosen: ['A', 'B'], raw: ['A', 'B'] });
    const again = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(again.fresh).toBe(false);
    expect(again.reveal.models[4]).toMatchObject({ status: 'pending' });
    const stored = await h.engine.roundReveal(round.sessionId, 1);
    expect(stored.models).toEqual(reveal?.models);
  });

  it('uses a live model answer that arrived before the reveal', async () => {
    const live = liveModel();
    h.models.setModel('live', live.fn);
    await h.engine.start({ roomId: 'room', hostUserId: 'host', models: ['live'] });
    live.asked[0]?.answer({ ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] });
    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(reveal.models[0]).toMatchObject({ modelId: 'live', status: 'answered', raw: ['A', 'A'] });
  });

  it('reports a source that throws as a failed model instead of failing the reveal', async () => {
    h.models.setModel('explodes', () => Promise.reject(new Error('socket hang up')));
    await h.engine.start({ roomId: 'room', hostUserId: 'host', models: ['explodes'] });
    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(reveal.models).toEqual([
      { modelId: 'explodes', status: 'failed', reason: 'the model could not be reached' },
    ]);
  });

  it('asks the models again for each new round and aborts requests of a round left behind', async () => {
    const live = liveModel();
    const signals: AbortSignal[] = [];
    h.models.setModel('live', (pair, signal) => {
      if (signal) signals.push(signal);
      return live.fn(pair);
    });
    await h.engine.start({ roomId: 'room', hostUserId: 'host', models: ['live'] });
    const step = await h.engine.next('room', member('host'), current(h.engine, 'room'));
    expect(live.asked.map((a) => a.pair.id)).toEqual([live.asked[0]?.pair.id, step.round?.pair.id]);
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
  });
});
