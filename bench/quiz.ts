import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadOfficialSetStrict } from '../src/dataset/official.js';
import { createLogger } from '../src/logger.js';
import { QuizEngine } from '../src/quiz/engine.js';
import { InMemoryModelAnswers } from '../src/quiz/model-answers.js';
import { seededRandom } from '../src/random.js';
import { openStore } from '../src/store/open-store.js';
import { makeOfficialDataDir } from '../test/support/placeholder-images.js';

/**
 * Quiz engine figures on a real SQLite file (synchronous=FULL, so every acknowledged click is on disk):
 * 1000 people clicking both images of one round at once, the reveal after it, and statistics and a
 * leaderboard computed from all stored answers once several sessions have been played.
 */

const PEOPLE = 1000;
const SESSIONS = 5;
const ROUNDS = 4;

async function timed<T>(label: string, task: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await task();
  console.log(`  ${label.padEnd(56)} ${(performance.now() - start).toFixed(0)} ms`);
  return result;
}

export async function run(): Promise<void> {
  const dataDir = await makeOfficialDataDir();
  const dir = await mkdtemp(path.join(tmpdir(), 'quiz-bench-'));
  const store = await openStore(`sqlite://${path.join(dir, 'store.sqlite')}`);
  const log = createLogger({ level: 'silent' });
  try {
    const set = await loadOfficialSetStrict(dataDir);
    const models = new InMemoryModelAnswers().setModel('always-a', {
      ok: true,
      chosen: ['A', 'A'],
      raw: ['A', 'A'],
    });
    const engine = new QuizEngine({ store, set, models, log, random: seededRandom(1) });
    console.log(`quiz engine (${PEOPLE} people, SQLite at ${dir})`);
    let clicks = 0;
    const sessionIds: string[] = [];
    for (let s = 0; s < SESSIONS; s++) {
      const roomId = `room-${s}`;
      // Host actions name the round they act on: the one the room shows now.
      const here = () => {
        const session = engine.session(roomId);
        return { sessionId: session?.sessionId ?? '', round: session?.round?.round ?? 0 };
      };
      const started = await engine.start({
        roomId,
        guildId: 'guild',
        hostUserId: 'host',
        rounds: ROUNDS,
        models: ['always-a'],
      });
      sessionIds.push(started.session.sessionId);
      for (let r = 0; r < ROUNDS; r++) {
        const answerAll = () =>
          Promise.all(
            Array.from({ length: PEOPLE }, (_, i) => [
              engine.answer({
                roomId,
                userId: `u${i}`,
                displayName: `U${i}`,
                slot: 0,
                option: i % 2 ? 'A' : 'B',
              }),
              engine.answer({
                roomId,
                userId: `u${i}`,
                displayName: `U${i}`,
                slot: 1,
                option: i % 3 ? 'A' : 'B',
              }),
            ]).flat(),
          );
        if (s === 0 && r === 0) {
          await timed(`${2 * PEOPLE} concurrent clicks, each durable before its ack`, answerAll);
          await timed('reveal of that round', () => engine.reveal(roomId, { kind: 'system' }, here()));
        } else {
          await answerAll();
        }
        clicks += 2 * PEOPLE;
        await engine.next(roomId, { kind: 'system' }, here());
      }
    }
    await timed(`stats for the server over ${clicks} stored clicks`, () =>
      engine.stats({ kind: 'guild', guildId: 'guild' }),
    );
    await timed('stats for one person (scans every session)', () =>
      engine.stats({ kind: 'user', userId: 'u7' }),
    );
    await timed('leaderboard for the server', () => engine.leaderboard({ kind: 'guild', guildId: 'guild' }));
    await timed(`summary of one session (${ROUNDS * 2 * PEOPLE} clicks)`, () =>
      engine.summary(sessionIds[0] as string),
    );
    engine.close();
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
