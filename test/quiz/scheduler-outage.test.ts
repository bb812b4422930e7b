import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import { createLogger } from '../../src/logger.js';
import { QuizEngine } from '../../src/quiz/engine.js';
import type { QuizEvent } from '../../src/quiz/events.js';
import { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { findServerBackends, runPrefix } from '../store/support/backends.js';
import { startTcpProxy, type TcpProxy } from '../store/support/tcp-proxy.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';
import { current } from '../support/quiz-round.js';
import { ManualClock } from './harness.js';

/**
 * The round scheduler's reveal at a deadline while the store is unreachable (Redis behind a relay the test
 * cuts): the engine announces the failure, keeps the round as it was, and reveals it when it tries again
 * once the store is back.
 */

const redis = (await findServerBackends()).find((b) => b.backend === 'redis');

describe.skipIf(redis?.url === undefined)('a timed reveal during a store outage', () => {
  let proxy: TcpProxy;
  let store: Store;
  let engine: QuizEngine;
  const clock = new ManualClock();
  const events: QuizEvent[] = [];
  const roomId = `${runPrefix()}-room`;

  beforeAll(async () => {
    if (redis === undefined) throw new Error('no redis');
    proxy = await startTcpProxy(redis.port);
    const log = createLogger({ level: 'silent' });
    store = await openStore(redis.urlVia(proxy.port), { log });
    const set = await loadOfficialSetStrict(await makeOfficialDataDir());
    engine = new QuizEngine({ store, set, models: new InMemoryModelAnswers(), log, clock, scheduler: clock });
    engine.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    const session = engine?.session(roomId);
    if (session) await engine.stop(roomId, { kind: 'system' }, { sessionId: session.sessionId });
    engine?.close();
    await store?.close();
    await proxy?.stop();
  });

  it('announces the failure, keeps the round, and reveals it on the retry once the store is back', async () => {
    const { round } = await engine.start({ roomId, hostUserId: 'host', secondsPerRound: 30 });
    await proxy.stop();
    clock.time = round.deadline;
    await engine.settled();
    expect(events.at(-1)).toMatchObject({
      type: 'failed',
      roomId,
      sessionId: round.sessionId,
      round: 1,
      step: 'reveal',
      retryAt: round.deadline + 5_000,
    });
    expect(engine.session(roomId)?.round).toMatchObject({ round: 1, state: 'open' });
    expect(events.some((e) => e.type === 'revealed' || e.type === 'closed')).toBe(false);

    proxy = await startTcpProxy(redis?.port ?? 0, proxy.port);
    await vi.waitFor(async () => expect(await store.collection('probe').has('x')).toBe(false), {
      timeout: 15_000,
      interval: 200,
    });
    clock.advance(5_000);
    await engine.settled();
    expect(events.at(-1)).toMatchObject({
      type: 'revealed',
      roomId,
      reveal: { round: 1, closedBy: 'timer' },
    });
    expect(engine.session(roomId)?.round).toMatchObject({ round: 1, state: 'revealed' });
    expect(current(engine, roomId)).toEqual({ sessionId: round.sessionId, round: 1 });
  });
});
