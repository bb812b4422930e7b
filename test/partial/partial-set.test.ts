import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app/compose.js';
import { createCliContext } from '../../src/cli/context.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import { ALL_ROW } from '../../src/scoring/summary-table.js';
import { makeWorkspace, type Workspace } from '../probe/harness.js';

/**
 * A data folder with 20 images removed: `npm start` quizzes on the complete pairs and says how many,
 * and `probe run` asks only those, says its numbers are partial and divides by the pairs it asked.
 */

let ws: Workspace;
let removed: Set<string>;
let complete: ConfusingPair[];

beforeAll(async () => {
  ws = await makeWorkspace();
  // Every ninth image the set uses, so the missing ones are spread over pairs and categories.
  const ids = [...new Set(ws.set.pairs.flatMap((pair) => pair.images.map((image) => image.localId)))];
  removed = new Set(ids.filter((_, i) => i % 9 === 4).slice(0, 20));
  expect(removed.size).toBe(20);
  for (const id of removed) await rm(path.join(ws.dataDir, 'images', `${id}.jpg`));
  complete = ws.set.pairs.filter((pair) => pair.images.every((image) => !removed.has(image.localId)));
  expect(complete.length).toBeGreaterThan(100);
  expect(complete.length).toBeLessThan(176);
});

afterAll(async () => {
  await ws?.cleanup();
});

describe('a partly downloaded MediConfusion', () => {
  it('npm start serves the official set with its complete pairs and says how many are playable', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk) => {
      printed += String(chunk);
    });
    const ctx = createCliContext({
      env: { ...ws.env, DISCORD_TOKEN: '' },
      cwd: ws.dir,
      out,
      err: new PassThrough(),
    });
    const app = await startApp(ctx, { port: 0, fetch: false });
    try {
      expect(app.set.name).toBe('official');
      expect(app.banner).toBeNull();
      expect(app.set.pairs.map((pair) => pair.id)).toEqual(complete.map((pair) => pair.id));
      const note = `${complete.length} of 176 pairs are playable: ${176 - complete.length} lack an image (20 of 228 images missing`;
      expect(app.setNote).toContain(note);
      expect(app.setNote).toContain('mediconfusion data status');
      // Why: nothing recorded a fetch of these images (they were removed by hand).
      expect(app.setNote).toContain('20 of 228 images missing); 20 not fetched yet.');
      expect(app.setNote).not.toContain(ws.dataDir);
      expect(printed).toContain(note);
    } finally {
      await app.close();
    }
  });

  it('probe run --model random asks only the complete pairs, says the result is partial and uses their denominators', async () => {
    await ws.writeModels('models:\n  - id: random\n    provider: random\n');
    const outDir = path.join(ws.dir, 'partial-run');

    const run = await ws.cli(['probe', 'run', '--model', 'random', '--out', outDir]);

    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(
      `PARTIAL SET: 20 image(s) are missing from the data folder, so only the ${complete.length} of 176 pairs with both images could be asked`,
    );
    expect(run.out).toContain('not comparable to the leaderboard');
    const { run: record, results } = await ws.readRunFile(outDir);
    expect(record.pairIds).toEqual(complete.map((pair) => pair.id));
    expect(record.params.coverage).toEqual({
      completePairs: complete.length,
      totalPairs: 176,
      missingImages: [...removed].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    });
    expect(results).toHaveLength(complete.length * 2);
    expect(record.counts).toMatchObject({ images: complete.length * 2, error: 0, pending: 0 });
    // The official rule, counted here by hand: each image of a pair adds one to each category it lists.
    const slots: Record<string, number> = {};
    for (const pair of complete) {
      for (const image of pair.images)
        for (const category of image.categories) slots[category] = (slots[category] ?? 0) + 1;
    }
    for (const [category, count] of Object.entries(slots))
      expect(record.categoryCounts[category], category).toBe(count);
    expect(record.summary?.full[ALL_ROW]?.total).toBe(complete.length);
  });
});
