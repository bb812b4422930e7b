import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../src/cli/program.js';
import { makeWorkspace, modelsYaml, openaiModel, runIdFrom, type Workspace } from './probe/harness.js';
import { type FakeServer, start } from './support/fake-openai.js';
import { ROOT } from './support/paths.js';

/**
 * The program users install is the build, not the sources the other tests run: tsc's output with the npm
 * packages the probe loads inlined by scripts/bundle-dependencies.mjs (including the CommonJS ones, yaml and
 * commander, whose `require` of Node's modules must still work inside an ES module).
 */

const run$ = promisify(execFile);
// Inside the project, so that the build finds node_modules/ as dist/ does.
const OUT = path.join(ROOT, 'test-output', `built-cli-${process.pid}`);
const CLI = path.join(OUT, 'cli.js');

let ws: Workspace;
let fake: FakeServer;

beforeAll(async () => {
  await run$(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      OUT,
    ],
    { cwd: ROOT },
  );
  await run$(process.execPath, [path.join(ROOT, 'scripts', 'bundle-dependencies.mjs'), OUT], { cwd: ROOT });
  ws = await makeWorkspace();
  fake = await start({ handler: () => ({ kind: 'text', text: 'B' }) });
  await ws.writeModels(modelsYaml(openaiModel('gpt', fake.url)));
}, 180_000);

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
  await rm(OUT, { recursive: true, force: true });
});

function runBuilt(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd: ws.dir,
      env: { PATH: process.env.PATH ?? '', ...ws.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() }),
    );
  });
}

describe('the built program', () => {
  it('lists every subcommand in --help', async () => {
    const { code, out } = await runBuilt(['--help']);
    expect(code).toBe(0);
    for (const sub of SUBCOMMANDS) expect(out).toContain(sub.name);
  });

  it('runs a probe against an OpenAI-compatible server, reading the models file', async () => {
    const before = fake.requests.length;
    const { code, out, err } = await runBuilt([
      'probe',
      'run',
      '--model',
      'gpt',
      '--pairs',
      '3',
      '--no-progress',
    ]);
    expect(err).not.toContain('Dynamic require');
    expect(code).toBe(0);
    expect(runIdFrom(out)).toMatch(/gpt/);
    expect(fake.requests.length - before).toBe(6);
  });

  it('points at the line of a broken models file, in English', async () => {
    await ws.writeModels('models:\n  - id: gpt\n    provider: openai\n    concurrency: many\n');
    const { code, err } = await runBuilt(['probe', 'run', '--model', 'gpt', '--pairs', '3', '--no-progress']);
    expect(code).toBe(1);
    expect(err).toMatch(/line 4/);
    expect(err).toMatch(/concurrency/);
  });
});
