import { afterEach, beforeEach, expect, it } from 'vitest';
import { quizCollections, roundPrefix } from '../../src/quiz/store-layout.js';
import { type Harness, openHarness } from './harness.js';

/**
 * A burst of answer clicks shares its store commits (group commit): every click is durable before it is
 * accepted, yet the burst costs a handful of commits (disk syncs on SQLite), not one per click.
 */

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

it('stores 1000 people clicking both images at once in a handful of commits', async () => {
  const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
  const before = h.store.writeStats();
  const clicks = [];
  for (let i = 0; i < 1000; i++) {
    for (const slot of [0, 1] as const) {
      clicks.push(
        h.engine.answer({ roomId: 'room', userId: `user${i}`, displayName: `User ${i}`, slot, option: 'A' }),
      );
    }
  }
  const outcomes = await Promise.all(clicks);
  const after = h.store.writeStats();

  expect(outcomes.filter((o) => o.ok)).toHaveLength(2000);
  const stored = [];
  for await (const entry of quizCollections(h.store).answers.entries(roundPrefix(round.sessionId, 1)))
    stored.push(entry);
  expect(stored).toHaveLength(2000);
  // 2000 clicks and each person's entry in the per-person index.
  expect(after.writes - before.writes).toBe(3000);
  // A person's two clicks are handled one after the other, so the burst takes a few waves of batches.
  expect(after.commits - before.commits).toBeLessThanOrEqual(8);
});
