import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createCliContext } from '../src/cli/context.js';
import { runCli } from '../src/cli/run.js';
import { start } from '../test/support/fake-openai.js';
import { makeOfficialDataDir } from '../test/support/placeholder-images.js';

/**
 * The probe's throughput against a model that takes 200 ms per request (fake OpenAI server on loopback):
 * a full 352-question multiple-choice run at concurrency 16 as a user runs it — the built CLI
 * (`node dist/cli.js`, built as `npm run build` does) as its own process, timed from spawn to exit,
 * start-up included — compared with the ideal (352 × 0.2 s / 16: the fake's latency alone, nothing else);
 * then the same run in-process (the request phase alone), one request at a time, and answered from the
 * cache. Also the start-up of `mediconfusion --help` beside a bare `node -e ''`.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const run$ = promisify(execFile);

/** Wall time of a process from spawn to exit, in seconds; throws on a non-zero exit. */
function timeProcess(args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    const output: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => output.push(c));
    child.stderr.on('data', (c: Buffer) => output.push(c));
    child.once('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve(seconds);
      else reject(new Error(`node ${args.join(' ')} exited ${code}:\n${Buffer.concat(output).toString()}`));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const LATENCY_MS = 200;
const CONCURRENCY = 16;
const QUESTIONS = 352;
/** Timed runs of the whole command; the median is held to the target, the best shown beside it. */
const WHOLE_RUNS = 3;
/** Pairs asked one at a time for the sequential baseline (a subset, extrapolated: the whole would take 70 s). */
const BASELINE_PAIRS = 10;

async function cli(argv: string[], env: Record<string, string>, cwd: string): Promise<void> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  err.on('data', (c: Buffer) => chunks.push(c));
  const code = await runCli(argv, createCliContext({ env, cwd, out, err }));
  if (code !== 0)
    throw new Error(`probe ${argv.join(' ')} exited ${code}:\n${Buffer.concat(chunks).toString()}`);
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-probe-'));
  const fake = await start({ latencyMs: LATENCY_MS, handler: () => ({ kind: 'text', text: 'B' }) });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 25);
  try {
    const dataDir = await makeOfficialDataDir(dir);
    const modelsFile = path.join(dir, 'models.yaml');
    await writeFile(
      modelsFile,
      `models:\n  - id: bench\n    provider: openai\n    model: bench\n    baseURL: ${fake.url}\n    noAuth: true\n    concurrency: ${CONCURRENCY}\n`,
    );
    const env = {
      LOG_LEVEL: 'silent',
      MEDICONFUSION_DATA_DIR: dataDir,
      MODELS_FILE: modelsFile,
      RUNS_DIR: path.join(dir, 'runs'),
      STORE_URL: `sqlite://${path.join(dir, 'store.sqlite')}`,
    };
    const probe = (extra: string[], storeName: string) =>
      cli(
        ['probe', 'run', '--model', 'bench', '--no-progress', ...extra],
        {
          ...env,
          STORE_URL: `sqlite://${path.join(dir, storeName)}`,
        },
        dir,
      );

    console.log(
      `probe: ${QUESTIONS} multiple-choice questions, fake model with ${LATENCY_MS} ms per request`,
    );
    // The command users run is the build: make it from the current source, as `npm run build` does.
    await run$(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT },
    );
    await run$(process.execPath, [path.join(ROOT, 'scripts', 'bundle-dependencies.mjs')], { cwd: ROOT });
    const ideal = (QUESTIONS * LATENCY_MS) / 1000 / CONCURRENCY;

    // Whole command, as its own process: start-up, requests, store and result files, exit. Each run has a
    // fresh store and result folder. An untimed short run first warms what is not the probe's to time: the
    // fake server's own code (a model API is warm) and the file cache holding dist/ and node_modules/.
    const wholeRun = (name: string, extra: string[]) =>
      timeProcess(
        [CLI, 'probe', 'run', '--model', 'bench', '--no-progress', ...extra],
        {
          ...env,
          STORE_URL: `sqlite://${path.join(dir, `${name}.sqlite`)}`,
          RUNS_DIR: path.join(dir, `${name}-runs`),
        },
        dir,
      );
    await wholeRun('whole-warm-up', ['--pairs', '8', '--concurrency', String(CONCURRENCY)]);
    const wholeTimes: number[] = [];
    let askedWhole = 0;
    for (let i = 0; i < WHOLE_RUNS; i++) {
      const before = fake.requests.length;
      wholeTimes.push(await wholeRun(`whole-${i}`, ['--concurrency', String(CONCURRENCY)]));
      askedWhole = fake.requests.length - before;
    }
    const whole = median(wholeTimes);
    const wholeRatio = whole / ideal;
    console.log(
      `  whole command (node dist/cli.js probe run, spawn to exit), concurrency ${CONCURRENCY}: ${whole.toFixed(2)} s for ${askedWhole} requests (median of ${WHOLE_RUNS}: ${wholeTimes.map((t) => t.toFixed(2)).join(', ')}; best ${Math.min(...wholeTimes).toFixed(2)} s)`,
    );
    console.log(
      `  ideal (${QUESTIONS} × ${LATENCY_MS / 1000} s / ${CONCURRENCY}):      ${ideal.toFixed(2)} s`,
    );
    console.log(
      `  whole command / ideal:          ${wholeRatio.toFixed(3)}, best ${(Math.min(...wholeTimes) / ideal).toFixed(3)}  (target ≤ 1.15: ${wholeRatio <= 1.15 ? 'met' : 'NOT met'})`,
    );

    // Start-up: `--help` beside an empty node process (median of 5 each, after one warm-up).
    const helpTimes: number[] = [];
    const bareTimes: number[] = [];
    await timeProcess([CLI, '--help'], env, dir);
    for (let i = 0; i < 5; i++) {
      bareTimes.push(await timeProcess(['-e', ''], env, dir));
      helpTimes.push(await timeProcess([CLI, '--help'], env, dir));
    }
    console.log(
      `  start-up: mediconfusion --help ${(median(helpTimes) * 1000).toFixed(0)} ms, node -e '' ${(median(bareTimes) * 1000).toFixed(0)} ms (medians of 5)`,
    );

    // Sequential baseline on a subset, in its own store so the full run below starts cold.
    let start = performance.now();
    await probe(['--pairs', String(BASELINE_PAIRS), '--concurrency', '1'], 'baseline.sqlite');
    const baselineSubset = (performance.now() - start) / 1000;
    const baseline = (baselineSubset / (BASELINE_PAIRS * 2)) * QUESTIONS;

    const beforeInProcess = fake.requests.length;
    start = performance.now();
    await probe(['--concurrency', String(CONCURRENCY)], 'store.sqlite');
    const wall = (performance.now() - start) / 1000;
    const asked = fake.requests.length - beforeInProcess;

    const beforeCached = fake.requests.length;
    start = performance.now();
    await probe(['--concurrency', String(CONCURRENCY)], 'store.sqlite');
    const cached = (performance.now() - start) / 1000;
    const cachedRequests = fake.requests.length - beforeCached;

    const ratio = wall / ideal;
    console.log(
      `  request phase in-process, concurrency ${CONCURRENCY}: ${wall.toFixed(2)} s for ${asked} requests (${ratio.toFixed(3)} × ideal)`,
    );
    console.log(
      `  one at a time:                  ${baseline.toFixed(1)} s (measured on ${BASELINE_PAIRS * 2} questions in ${baselineSubset.toFixed(2)} s, extrapolated to ${QUESTIONS}; ${(baseline / wall).toFixed(1)}× slower)`,
    );
    console.log(
      `  cached re-run:                  ${cached.toFixed(2)} s, ${cachedRequests} requests  (target < 1 s and 0: ${cached < 1 && cachedRequests === 0 ? 'met' : 'NOT met'})`,
    );
    console.log(`  peak RSS:                       ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    clearInterval(sampler);
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
