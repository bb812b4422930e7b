import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { type ImageResult, imageResultSchema, NAMESPACES } from '../../src/probe/records.js';
import { openStore } from '../../src/store/index.js';
import { type FakeServer, start } from '../support/fake-openai.js';
import { ROOT } from '../support/paths.js';
import { makeWorkspace, modelsYaml, openaiModel, runIdFrom, type Workspace } from './harness.js';

/**
 * The CLI as a separate process (`node --import tsx src/cli.ts`), killed mid-run, then run again: what was
 * answered before the kill must come from the cache, never from a second request.
 */

const PAIRS = 30;
const ARGS = [
  'probe',
  'run',
  '--model',
  'slow',
  '--pairs',
  String(PAIRS),
  '--concurrency',
  '4',
  '--no-progress',
];

let ws: Workspace;
let fake: FakeServer;
let child: ChildProcess | null = null;

function slotOf(index: number): string {
  const call = fake.requests[index]?.call;
  return `${call?.images[0]?.sha256}|${call?.prompt}`;
}

function spawnCli(): {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  out: () => string;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...ARGS], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...ws.env, RUNS_DIR: path.join(ws.dir, 'runs') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const chunks: Buffer[] = [];
  proc.stdout?.on('data', (c: Buffer) => chunks.push(c));
  proc.stderr?.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child: proc, exited, out: () => Buffer.concat(chunks).toString('utf8') };
}

async function untilRequests(n: number): Promise<void> {
  // A guard against a hang, not a speed requirement: a loaded CI machine starts tsx slowly.
  const deadline = Date.now() + 120_000;
  while (fake.requests.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${fake.requests.length} requests arrived`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the store holds after the child is gone: per-image results of every run, and the cached replies. */
async function storeContents(): Promise<{ items: ImageResult[]; cached: number }> {
  const store = await openStore(ws.storeUrl, { cwd: ws.dir, log: createLogger({ level: 'silent' }) });
  try {
    const items: ImageResult[] = [];
    for await (const [, item] of store.collection(NAMESPACES.items, imageResultSchema).entries())
      items.push(item);
    let cached = 0;
    for await (const _ of store.collection(NAMESPACES.cache).entries()) cached += 1;
    return { items, cached };
  } finally {
    await store.close();
  }
}

beforeEach(async () => {
  ws = await makeWorkspace();
  fake = await start({ latencyMs: 150, handler: () => ({ kind: 'text', text: 'A' }) });
  await ws.writeModels(modelsYaml(openaiModel('slow', fake.url)));
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await fake?.close();
  await ws?.cleanup();
});

afterAll(() => {
  child?.kill('SIGKILL');
});

describe('stopping a run from outside', () => {
  it('after kill -9, the next run asks only what was not answered', async () => {
    const first = spawnCli();
    await untilRequests(12);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const killedAt = fake.requests.length;
    const { items, cached } = await storeContents();
    expect(cached).toBeGreaterThan(0);
    expect(items.length).toBeGreaterThan(0);

    // The killed process could not mark its run: the list tells it is dead, not running.
    const list = await ws.cli(['probe', 'list', '--json']);
    const runs = (JSON.parse(list.out) as { runs: { id: string; status: string }[] }).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('interrupted');

    const rerun = await ws.cli(ARGS);
    expect(rerun.code).toBe(0);
    // The same command continues the killed run: same id, same result folder.
    expect(runIdFrom(rerun.out)).toBe(runs[0]?.id);
    expect(rerun.out).toContain(`Result files: ${path.join(ws.dir, 'runs', runs[0]?.id ?? '')}`);
    const after = JSON.parse((await ws.cli(['probe', 'list', '--json'])).out) as {
      runs: { status: string }[];
    };
    expect(after.runs.map((r) => r.status)).toEqual(['completed']);
    const askedAgain = new Set(
      Array.from({ length: fake.requests.length - killedAt }, (_, i) => slotOf(killedAt + i)),
    );
    // Every reply stored before the kill is reused: the rerun asks exactly the rest.
    expect(fake.requests.length - killedAt).toBe(PAIRS * 2 - cached);
    const pairs = new Map(ws.set.pairs.map((p) => [p.id, p]));
    for (const item of items) {
      const pair = pairs.get(item.pairId);
      const image = pair?.images[item.slot];
      const asked = [...askedAgain].some(
        (slot) =>
          slot.startsWith(`${ws.imageSha.get(image?.localId ?? '')}|`) &&
          slot.includes(pair?.question ?? '\0'),
      );
      expect(asked, `pair ${item.pairId} image ${item.slot + 1} was asked again`).toBe(false);
    }
  }, 300_000);

  it('on Ctrl-C, lets requests in flight finish, keeps them, prints the partial table and exits 130', async () => {
    const first = spawnCli();
    await untilRequests(10);
    first.child.kill('SIGINT');
    const { code } = await first.exited;
    expect(code).toBe(130);
    const output = first.out();
    expect(output).toContain('Stopping: waiting for the requests in flight');
    expect(output).toContain('Status interrupted');
    expect(output).toContain('Run the same command again to continue');
    const stoppedAt = fake.requests.length;
    const { cached } = await storeContents();
    // Nothing was abandoned mid-flight: every request the server saw has its reply stored.
    expect(cached).toBe(stoppedAt);

    const rerun = await ws.cli(ARGS);
    expect(rerun.code).toBe(0);
    expect(runIdFrom(rerun.out)).toBe(runIdFrom(output));
    expect(fake.requests.length - stoppedAt).toBe(PAIRS * 2 - cached);
  }, 300_000);
});
