import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PairSet } from '../../src/dataset/model.js';
import { createLogger } from '../../src/logger.js';
import { QuizEngine } from '../../src/quiz/engine.js';
import { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import { isQuizError } from '../../src/quiz/quiz-errors.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { findServerBackends, runPrefix } from '../store/support/backends.js';
import { loadSet, ManualClock, member, optionFor, recordEvents } from './harness.js';

/**
 * Two processes on one shared store (modelled as two engines, each with its own connection and its own
 * lease owner name): a live session is driven by exactly one of them; the other takes it over only once
 * the first stops renewing its lease, with every acknowledged answer, and a write from the old owner after
 * the takeover is refused (fencing).
 */

const TTL = 9_000;
const silent = createLogger({ level: 'silent' });
const found = await findServerBackends();
const servers = found.filter((s) => s.url !== undefined);
// A server that does not answer shows as a skipped test named after it, never as a silent pass.
for (const missing of found.filter((s) => s.url === undefined)) {
  it.skip(`${missing.backend} at ${missing.address} is not reachable`, () => {});
}

for (const server of servers) {
  describe(`session leases on ${server.backend}`, () => {
    let set: PairSet;
    const stores: Store[] = [];
    const engines: QuizEngine[] = [];
    let clock: ManualClock;
    let models: InMemoryModelAnswers;
    let prefix: string;

    beforeAll(async () => {
      set = await loadSet();
    });
    afterEach(async () => {
      for (const e of engines.splice(0)) e.close();
      for (const s of stores.splice(0)) await s.close();
    });

    /** A "process": its own store connection and lease owner, covering only this test's rooms. */
    async function processNamed(owner: string, state: 'running' | 'paused' = 'running'): Promise<QuizEngine> {
      const store = await openStore(server.url ?? '', { log: silent });
      stores.push(store);
      const engine = new QuizEngine({
        store,
        set,
        models,
        log: silent,
        clock,
        // A paused process (a long GC pause, a frozen VM) runs none of its timers: no renewals either.
        scheduler: state === 'paused' ? { schedule: () => ({ cancel: () => undefined }) } : clock,
        random: seededRandom(3),
        ownership: { owner: `${prefix}-${owner}`, ttlMs: TTL, exclusive: false },
        scope: (room) => room.roomId.startsWith(prefix),
      });
      engines.push(engine);
      return engine;
    }

    async function startWithAnswers(engine: QuizEngine, people: number) {
      const roomId = `${prefix}-room`;
      const { round } = await engine.start({ roomId, hostUserId: 'host', rounds: 2, secondsPerRound: 600 });
      for (let i = 0; i < people; i++) {
        for (const slot of [0, 1] as const) {
          const outcome = await engine.answer({
            roomId,
            userId: `u${i}`,
            displayName: `U${i}`,
            slot,
            option: optionFor(round.pair, slot, true),
          });
          expect(outcome.ok).toBe(true);
        }
      }
      return { roomId, round };
    }

    async function setUp() {
      clock = new ManualClock(Date.now());
      models = new InMemoryModelAnswers();
      prefix = runPrefix();
    }

    it('a second process takes over nothing that is live and refuses to start over it', async () => {
      await setUp();
      const first = await processNamed('a');
      await first.recover();
      const { roomId } = await startWithAnswers(first, 2);

      const second = await processNamed('b');
      const events = recordEvents(second);
      const report = await second.recover();
      expect(report).toEqual({ resumed: [], revealed: [], ended: [] });
      expect(second.session(roomId)).toBeNull();
      expect(await second.runsElsewhere(roomId)).toBe(true);
      const refused = await second.start({ roomId, hostUserId: 'host' }).catch((err: unknown) => err);
      expect(isQuizError(refused) && refused.code).toBe('SESSION_ELSEWHERE');

      // While the first renews its lease, the second's keeper never takes the session.
      for (let i = 0; i < 4; i++) {
        clock.advance(TTL / 2);
        await first.settled();
        await second.settled();
      }
      expect(second.session(roomId)).toBeNull();
      expect(first.session(roomId)?.round?.answeredCount).toBe(2);
      expect(events).toEqual([]);
    });

    it('takes a session over only once the stopped owner’s lease has expired, with every answer', async () => {
      await setUp();
      const first = await processNamed('a');
      await first.recover();
      const { roomId, round } = await startWithAnswers(first, 3);
      const second = await processNamed('b');
      await second.recover();
      const events = recordEvents(second);

      // The first process dies: no more renewals, no goodbye.
      first.close();
      clock.advance(TTL - 1_000);
      await second.settled();
      expect(second.session(roomId)).toBeNull();
      clock.advance(TTL);
      await second.settled();

      const recovered = events.find((e) => e.type === 'recovered');
      expect(recovered?.type === 'recovered' && recovered.report.resumed[0]?.round?.answeredCount).toBe(3);
      const reveal = await second.reveal(roomId, member('host'), { sessionId: round.sessionId, round: 1 });
      expect(reveal.reveal.people.participants).toBe(3);
      expect(reveal.reveal.people.setCorrect).toBe(3);
    });

    it('refuses a host action of the old owner after a takeover, which then stops driving the room', async () => {
      await setUp();
      const first = await processNamed('a', 'paused');
      await first.recover();
      const { roomId, round } = await startWithAnswers(first, 1);
      const firstEvents = recordEvents(first);
      const second = await processNamed('b');
      await second.recover();

      // The first process is paused past its lease while the second takes over.
      clock.advance(TTL + 1);
      await second.settled();
      expect(second.session(roomId)).not.toBeNull();

      const stale = await first
        .reveal(roomId, member('host'), { sessionId: round.sessionId, round: 1 })
        .catch((err: unknown) => err);
      expect(isQuizError(stale) && stale.code).toBe('SESSION_ELSEWHERE');
      expect(first.session(roomId)).toBeNull();
      expect(firstEvents.map((e) => e.type)).toContain('lost');
      // The round is still open for the new owner: the stale reveal changed nothing.
      expect(second.session(roomId)?.round?.state).toBe('open');
      const fresh = await second.reveal(roomId, member('host'), { sessionId: round.sessionId, round: 1 });
      expect(fresh.fresh).toBe(true);
    });

    it('hands sessions over at once after a graceful shutdown', async () => {
      await setUp();
      const first = await processNamed('a');
      await first.recover();
      const { roomId } = await startWithAnswers(first, 1);
      const second = await processNamed('b');
      await second.recover();
      await first.shutdown();
      // One keeper round (a third of the lease's time), not the lease's expiry.
      clock.advance(TTL / 3);
      await second.settled();
      expect(second.session(roomId)?.round?.answeredCount).toBe(1);
    });

    it('recovers only the rooms in its scope', async () => {
      await setUp();
      const first = await processNamed('a');
      await first.recover();
      const { roomId } = await startWithAnswers(first, 1);
      first.close();
      clock.advance(TTL + 1);
      const store = await openStore(server.url ?? '', { log: silent });
      stores.push(store);
      const elsewhere = new QuizEngine({
        store,
        set,
        models,
        log: silent,
        clock,
        scheduler: clock,
        ownership: { owner: `${prefix}-c`, ttlMs: TTL, exclusive: false },
        scope: (room) => room.roomId.startsWith(prefix) && room.guildId === 'another-guild',
      });
      engines.push(elsewhere);
      const report = await elsewhere.recover();
      expect(report.resumed).toEqual([]);
      expect(elsewhere.session(roomId)).toBeNull();
    });
  });
}
