import { KeyvSqlite } from '@keyv/sqlite';
import { z } from 'zod';
import { BaselineService, type BaselineServiceOptions } from '../../src/baseline/service.js';
import type { ConfusingPair, ImageSlot, PairSet } from '../../src/dataset/model.js';
import { createLogger } from '../../src/logger.js';
import { QuizEngine } from '../../src/quiz/engine.js';
import { seededRandom } from '../../src/random.js';
import { type Harness, member, openHarness, optionFor } from '../quiz/harness.js';

export const SECRET = 'test-baseline-secret-0123456789abcdef';
export const silent = createLogger({ level: 'silent' });

export interface BaselineHarness extends Harness {
  baseline: BaselineService;
  /** A service over the same store with other options (another set, secret or models). */
  service(overrides?: Partial<BaselineServiceOptions>): BaselineService;
  /** Every row of the SQLite file, whatever its namespace, read with the driver the store uses. */
  rawRows(): Promise<Array<{ key: string; value: string }>>;
}

/** A real SQLite store in a temp folder with a quiz engine and a baseline service sharing it and its clock. */
export async function openBaseline(
  overrides: Partial<BaselineServiceOptions> = {},
): Promise<BaselineHarness> {
  const h = await openHarness();
  const service = (o: Partial<BaselineServiceOptions> = {}) =>
    new BaselineService({
      store: h.store,
      set: h.set,
      secret: SECRET,
      log: silent,
      clock: h.clock,
      random: seededRandom(7),
      models: { source: h.models, ids: [] },
      ...overrides,
      ...o,
    });
  return {
    ...h,
    baseline: service(),
    service,
    async rawRows() {
      const file = h.storeUrl.slice('sqlite://'.length);
      const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, table: 'keyv' });
      try {
        return z
          .array(z.object({ key: z.string(), value: z.string() }))
          .parse(await adapter.query('SELECT key, value FROM keyv'));
      } finally {
        await adapter.disconnect();
      }
    },
  };
}

/** The first pairs of the set, as a smaller set (the service takes any set). */
export function subset(set: PairSet, pairs: readonly ConfusingPair[], name = set.name): PairSet {
  return { ...set, name, pairs: [...pairs] };
}

/** Two pairs that share an image (by local id), and a third pair sharing no image with either. */
export function pairsSharingAnImage(set: PairSet): {
  first: ConfusingPair;
  second: ConfusingPair;
  sharedSlotInSecond: ImageSlot;
  unrelated: ConfusingPair;
} {
  for (const first of set.pairs) {
    for (const second of set.pairs) {
      if (second.id === first.id) continue;
      const ids = new Set(first.images.map((i) => i.localId));
      const shared = second.images.findIndex((i) => ids.has(i.localId));
      if (shared === -1 || ids.has(second.images[1 - shared]?.localId ?? '')) continue;
      const seen = new Set([...ids, ...second.images.map((i) => i.localId)]);
      const unrelated = set.pairs.find((p) => p.images.every((i) => !seen.has(i.localId)));
      if (unrelated === undefined) continue;
      return { first, second, sharedSlotInSecond: shared as ImageSlot, unrelated };
    }
  }
  throw new Error('no two pairs share an image');
}

/**
 * Plays a quiz of `rounds` rounds in a room, each player answering both images right or wrong, revealing
 * every round. Returns the session id and the pairs shown.
 */
export async function playQuiz(
  h: Harness,
  roomId: string,
  rounds: number,
  players: Record<string, boolean>,
  engine: QuizEngine = h.engine,
): Promise<{ sessionId: string; pairs: ConfusingPair[] }> {
  const { round, session } = await engine.start({ roomId, hostUserId: 'host-1', rounds });
  const pairs: ConfusingPair[] = [];
  let current = round;
  for (let i = 0; i < rounds; i++) {
    pairs.push(current.pair);
    for (const [userId, right] of Object.entries(players)) {
      for (const slot of [0, 1] as const) {
        h.clock.advance(1000);
        const outcome = await engine.answer({
          roomId,
          userId,
          displayName: `Name ${userId}`,
          slot,
          option: optionFor(current.pair, slot, right),
        });
        if (!outcome.ok) throw new Error(`quiz answer refused: ${outcome.message}`);
      }
    }
    const step = await engine.next(roomId, member('host-1'), current);
    if (step.round !== null) current = step.round;
  }
  return { sessionId: session.sessionId, pairs };
}

export { optionFor };

/** A quiz engine over the same store and clock, limited to `set` (so a test decides which pairs a quiz shows). */
export function quizEngineFor(h: Harness, set: PairSet): QuizEngine {
  return new QuizEngine({
    store: h.store,
    set,
    models: h.models,
    log: silent,
    clock: h.clock,
    random: seededRandom(3),
  });
}
