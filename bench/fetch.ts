import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fetchData } from '../src/fetch/fetch-data.js';
import { countItems } from '../src/fetch/summary.js';
import { startPmcWorld } from '../test/fetch/pmc-world.js';

const LATENCY_MS = 50;
const CONCURRENCY = 8;

/**
 * Fetching the 228 images one at a time (as the official download script does) against
 * fetching them concurrently, from a loopback PMC cloud that adds 50 ms to every request.
 */
export async function run(): Promise<void> {
  const world = await startPmcWorld({ latencyMs: LATENCY_MS });
  const root = await mkdtemp(path.join(tmpdir(), 'bench-fetch-'));
  try {
    const seed = path.join(root, 'seed');
    await fetchData({ dataDir: seed, sources: world.sources, concurrency: CONCURRENCY, only: 'dataset' });

    const timeImages = async (name: string, concurrency: number): Promise<number> => {
      const dir = path.join(root, name);
      await mkdir(dir, { recursive: true });
      for (const file of ['dataset.json', 'image_dict.json', 'statistics.json', 'answering-prompts.json']) {
        await copyFile(path.join(seed, file), path.join(dir, file));
      }
      const started = performance.now();
      const summary = await fetchData({ dataDir: dir, sources: world.sources, concurrency, only: 'images' });
      const elapsed = performance.now() - started;
      const counts = countItems(summary.items, 'images');
      if (counts.downloaded !== world.images.length) {
        throw new Error(`${name}: only ${counts.downloaded} of ${world.images.length} images downloaded`);
      }
      return elapsed;
    };

    const sequential = await timeImages('one-at-a-time', 1);
    const concurrent = await timeImages('concurrent', CONCURRENCY);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `data fetch: ${world.images.length} images from a loopback PMC cloud, ${LATENCY_MS} ms added per request`,
    );
    const row = (label: string, ms: number) => console.log(`  ${label.padEnd(40)}${seconds(ms)}`);
    row("one at a time (official script's way):", sequential);
    row(`${CONCURRENCY} at once (data fetch's default):`, concurrent);
    console.log(`  speed-up: ${(sequential / concurrent).toFixed(1)}x`);
  } finally {
    await world.close();
    await rm(root, { recursive: true, force: true });
  }
}
