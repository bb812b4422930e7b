import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliContext } from '../src/cli/context.js';
import { buildProgram, programContextOf, SUBCOMMANDS } from '../src/cli/program.js';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './probe/harness.js';
import { type FakeServer, start } from './support/fake-openai.js';
import { ROOT } from './support/paths.js';

/**
 * Subcommands load lazily: the CLI, run as its own process, records every module it loads (a resolve hook),
 * and `--help` or `probe run` must not have loaded what they do not use.
 */

/** Packages only some subcommands need, by what needs them. */
const WEB_AND_BOT = ['discord.js', 'fastify', '@fastify/websocket'];
const EXPORT_AND_CHARTS = ['echarts', '@resvg/resvg-js', 'chart.js'];
const SDKS = ['openai', '@anthropic-ai/sdk'];
const STORES = ['@keyv/redis', '@keyv/postgres', 'pg'];

function loadedPackages(log: string): Set<string> {
  const packages = new Set<string>();
  for (const url of log.split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1]) packages.add(match[1]);
  }
  return packages;
}

/** The project's own modules in the log, as paths under src/ (`cli/run.ts`). */
function loadedSourceModules(log: string): Set<string> {
  const modules = new Set<string>();
  for (const url of log.split('\n')) {
    const match = /\/src\/([^?]+)$/.exec(url);
    if (match?.[1] && !url.includes('/node_modules/')) modules.add(match[1]);
  }
  return modules;
}

async function runLogged(argv: string[], env: Record<string, string>): Promise<Set<string>> {
  return loadedPackages(await runLoggedRaw(argv, env));
}

/** Runs the CLI as its own process and returns its import log: every resolved module URL, one a line. */
async function runLoggedRaw(argv: string[], env: Record<string, string>): Promise<string> {
  const logFile = path.join(ws.dir, `imports-${argv[0] ?? 'none'}-${Date.now()}.log`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './test/support/import-log.mjs', 'src/cli.ts', ...argv],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, IMPORT_LOG: logFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => output.push(c));
  child.stderr.on('data', (c: Buffer) => output.push(c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`exit ${code}:\n${Buffer.concat(output).toString()}`);
  return readFile(logFile, 'utf8');
}

let ws: Workspace;
let fake: FakeServer;

beforeAll(async () => {
  ws = await makeWorkspace();
  fake = await start();
  await ws.writeModels(modelsYaml(openaiModel('m', fake.url)));
});

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('lazy subcommands', () => {
  it('`--help` loads no subcommand: neither the web server, the bot, the SDKs nor the export code', async () => {
    const loaded = await runLogged(['--help'], ws.env);
    expect(loaded.has('commander')).toBe(true);
    for (const name of [...WEB_AND_BOT, ...EXPORT_AND_CHARTS, ...SDKS, ...STORES, 'sharp', 'keyv']) {
      expect(loaded.has(name), name).toBe(false);
    }
  }, 180_000);

  it('`--help` loads commander alone: no configuration schema (zod), logger (pino) or store', async () => {
    const log = await runLoggedRaw(['--help'], ws.env);
    expect([...loadedPackages(log)]).toEqual(['commander']);
    const modules = loadedSourceModules(log);
    expect(modules.has('cli/program.ts')).toBe(true);
    for (const name of ['config.ts', 'logger.ts', 'cli/context.ts', 'store/index.ts', 'dataset/model.ts']) {
      expect(modules.has(name), name).toBe(false);
    }
    // Only the program and what it needs to print help and exit: no subcommand module.
    expect([...modules].filter((m) => m.startsWith('cli/')).sort()).toEqual([
      'cli/exit-codes.ts',
      'cli/program.ts',
      'cli/run.ts',
    ]);
  }, 180_000);

  it('`probe run` against an OpenAI-compatible model loads its SDK and store, nothing of the rest', async () => {
    const loaded = await runLogged(['probe', 'run', '--model', 'm', '--pairs', '1', '--no-progress'], ws.env);
    expect(loaded.has('openai')).toBe(true);
    expect(loaded.has('@keyv/sqlite')).toBe(true);
    // sharp decodes images only for `data check` and resizing; pino-pretty only formats for a terminal.
    for (const name of [
      ...WEB_AND_BOT,
      ...EXPORT_AND_CHARTS,
      '@anthropic-ai/sdk',
      ...STORES,
      'sharp',
      'pino-pretty',
    ]) {
      expect(loaded.has(name), name).toBe(false);
    }
  }, 180_000);

  it('lists every subcommand in the top-level help as its own definition describes it', async () => {
    const help = async (argv: string[] | 'all') => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const program = await buildProgram(
        programContextOf(createCliContext({ out, err: out, env: {}, cwd: ws.dir })),
        argv,
      );
      const text = () => {
        program.outputHelp();
        return Buffer.concat(chunks).toString();
      };
      return { program, text };
    };
    const full = await help('all');
    const lazy = await help(['--help']);
    for (const sub of SUBCOMMANDS) {
      const real = full.program.commands.find((c) => c.name() === sub.name);
      expect(real?.description(), sub.name).toBe(sub.description);
    }
    expect(lazy.text()).toBe(full.text());
  });
});
