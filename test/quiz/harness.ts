import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../../src/dataset/model.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import { createLogger } from '../../src/logger.js';
import type { Clock, Scheduler } from '../../src/quiz/clock.js';
import { QuizEngine, type QuizEngineOptions } from '../../src/quiz/engine.js';
import type { QuizEvent } from '../../src/quiz/events.js';
import { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import type { RoundReveal } from '../../src/quiz/reveal.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';

/**
 * A clock the test moves by hand, which is also the engine's timer facility: moving it (setting `time` or
 * `advance`) runs every timer that fell due, in order. `await engine.settled()` then waits for the steps
 * those timers started.
 */
export class ManualClock implements Clock, Scheduler {
  private current: number;
  private timers: Array<{ at: number; seq: number; run: () => void }> = [];
  private seq = 0;
  constructor(time = Date.UTC(2025, 0, 1, 12, 0, 0)) {
    this.current = time;
  }
  get time(): number {
    return this.current;
  }
  set time(value: number) {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= value).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.run();
    }
    this.current = value;
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.time = this.current + ms;
  }
  schedule(callback: () => void, delayMs: number): { cancel(): void } {
    const timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, run: callback };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== timer)) };
  }
  /** Timers waiting to fire. */
  pending(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b);
  }
}

/** Every event an engine emits, in order. */
export function recordEvents(engine: QuizEngine): QuizEvent[] {
  const events: QuizEvent[] = [];
  engine.subscribe((event) => events.push(event));
  return events;
}

/** The reveals among `events`. */
export function revealsIn(events: readonly QuizEvent[]): RoundReveal[] {
  return events.flatMap((e) => (e.type === 'revealed' ? [e.reveal] : []));
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
      scheduler: clock,
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
      for (const e of engines) e.close();
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

/** `userId` answers both images of the room's open round right, under their own name. */
export async function answerBoth(
  engine: QuizEngine,
  roomId: string,
  userId: string,
  pair: ConfusingPair,
): Promise<void> {
  for (const slot of [0, 1] as const) {
    await engine.answer({ roomId, userId, displayName: userId, slot, option: optionFor(pair, slot, true) });
  }
}

/** The option that answers the image right (or wrong). */
export function optionFor(pair: ConfusingPair, slot: ImageSlot, right: boolean): Option {
  const correct = pair.images[slot].correct;
  return right ? correct : other(correct);
}

export const member = (
  userId: string,
  extra: { canManageServer?: boolean; hasHostRole?: boolean; holdsHostKey?: boolean } = {},
) => ({ kind: 'member', userId, ...extra }) as const;
