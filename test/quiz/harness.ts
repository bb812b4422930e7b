import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../../src/dataset/model.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import { createLogger } from '../../src/logger.js';
import type { Clock } from '../../src/quiz/clock.js';
import { QuizEngine, type QuizEngineOptions } from '../../src/quiz/engine.js';
import { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2025, 0, 1, 12, 0, 0)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

let officialSet: Promise<{ dir: string; set: PairSet }> | undefined;

/** The official set, loaded once per test file from a temp data folder with placeholder images. */
export function loadSet(): Promise<PairSet> {
  officialSet ??= (async () => {
    const dir = await makeOfficialDataDir();
    return { dir, set: await loadOfficialSetStrict(dir) };
  })();
  return officialSet.then((s) => s.set);
}

export interface Harness {
  dir: string;
  storeUrl: string;
  store: Store;
  set: PairSet;
  clock: ManualClock;
  models: InMemoryModelAnswers;
  engine: QuizEngine;
  /** A second engine on a fresh connection to the same SQLite file, as after a process restart. */
  restart(overrides?: Partial<QuizEngineOptions>): Promise<QuizEngine>;
  close(): Promise<void>;
}

const silent = createLogger({ level: 'silent' });

/** A real SQLite store in a temp folder and an engine with a manual clock and a seeded random source. */
export async function openHarness(overrides: Partial<QuizEngineOptions> = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'quiz-test-'));
  const storeUrl = `sqlite://${path.join(dir, 'store.sqlite')}`;
  const stores: Store[] = [];
  const open = async () => {
    const s = await openStore(storeUrl, { log: silent });
    stores.push(s);
    return s;
  };
  const store = await open();
  const set = await loadSet();
  const clock = new ManualClock();
  const models = new InMemoryModelAnswers();
  const make = (s: Store, o: Partial<QuizEngineOptions>) =>
    new QuizEngine({
      store: s,
      set,
      models,
      log: silent,
      clock,
      random: seededRandom(42),
      ...overrides,
      ...o,
    });
  const engines: QuizEngine[] = [make(store, {})];
  return {
    dir,
    storeUrl,
    store,
    set,
    clock,
    models,
    engine: engines[0] as QuizEngine,
    async restart(o = {}) {
      // The old engine is dropped as a crashed process would be: its timers and memory are gone.
      const engine = make(await open(), o);
      engines.push(engine);
      return engine;
    },
    async close() {
      for (const e of engines) e.close();
      for (const s of stores) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const other = (o: Option): Option => (o === 'A' ? 'B' : 'A');

/** The option that answers the image right (or wrong). */
export function optionFor(pair: ConfusingPair, slot: ImageSlot, right: boolean): Option {
  const correct = pair.images[slot].correct;
  return right ? correct : other(correct);
}

export const member = (userId: string, extra: { canManageServer?: boolean; roleIds?: string[] } = {}) =>
  ({ kind: 'member', userId, ...extra }) as const;
