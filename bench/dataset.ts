import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { loadCustomSet } from '../src/dataset/custom.js';
import { loadOfficialSet } from '../src/dataset/official.js';
import { summarizeSet } from '../src/dataset/pair-set.js';
import { ROOT } from '../test/support/paths.js';
import { makeOfficialDataDir } from '../test/support/placeholder-images.js';

/**
 * Time to load and validate the official dataset: JSON files only, then with every one of the 228
 * (placeholder) images found and fully decoded. Prints the median of several runs after one warm-up.
 */

const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function time(label: string, task: () => Promise<{ problems: unknown[] }>): Promise<void> {
  await task(); // warm-up: module loading, sharp's first use, file cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const { problems } = await task();
    times.push(performance.now() - start);
    if (problems.length > 0) throw new Error(`${label}: expected no problems, got ${problems.length}`);
  }
  const min = Math.min(...times);
  console.log(
    `  ${label.padEnd(48)} median ${median(times).toFixed(1)} ms  (min ${min.toFixed(1)} ms, ${RUNS} runs)`,
  );
}

export async function run(): Promise<void> {
  const dir = await makeOfficialDataDir();
  try {
    const { set } = await loadOfficialSet(dir);
    const summary = summarizeSet(set);
    console.log(
      `dataset: load and validate (${summary.pairs} pairs, ${summary.images} images, ${summary.categories} categories)`,
    );
    await time('official, JSON files only', () => loadOfficialSet(dir));
    await time('official, with image verification (8 at once)', () =>
      loadOfficialSet(dir, { checkImages: true }),
    );
    await time('official, with image verification (1 at once)', () =>
      loadOfficialSet(dir, { checkImages: true, concurrency: 1 }),
    );
    await time('example custom set, with images', () =>
      loadCustomSet(`${ROOT}/data/examples/custom-set.example.yaml`, { checkImages: true }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
