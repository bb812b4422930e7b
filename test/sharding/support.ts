import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@keyv/redis';
import pg from 'pg';
import type { ServerBackend } from '../store/support/backends.js';
import type { FakeDiscord, FakeMessage } from '../support/fake-discord/index.js';

/**
 * Support for the tests that run several bot processes on one shared store: a database of their own on
 * the local Redis or PostgreSQL (so that no other test's quiz rooms are recovered or taken over), the
 * `mediconfusion start` process with its JSON log lines read back, and channel-scoped waits.
 */

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface IsolatedStore {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh store: a new PostgreSQL database, or a Redis database index emptied first (Redis has 16; these
 * tests use the top ones, which nothing else in the suite touches).
 */
export async function isolatedStore(server: ServerBackend, redisDb: number): Promise<IsolatedStore> {
  const base = new URL(server.url ?? '');
  if (server.backend === 'redis') {
    base.pathname = `/${redisDb}`;
    const client = createClient({ url: base.href });
    await client.connect();
    await client.flushDb();
    await client.close();
    return {
      url: base.href,
      async drop() {
        const c = createClient({ url: base.href });
        await c.connect();
        await c.flushDb();
        await c.close();
      },
    };
  }
  const name = `mc_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.href });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: base.href });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface LogLine {
  msg?: string;
  level?: number;
  shard?: number;
  pid?: number;
  time?: number;
  [key: string]: unknown;
}

export interface StartedProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  lines(): LogLine[];
  /** Everything it printed on stderr, for failure messages. */
  output(): string;
  /** Resolves with the first log line (from now on or already seen) that `predicate` accepts. */
  waitForLine(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  kill(signal: NodeJS.Signals): void;
  dir: string;
  cleanUp(): Promise<void>;
}

/** Runs `mediconfusion <args>` through tsx in its own process, with the fake Discord and `storeUrl`. */
export async function startCli(
  args: string[],
  fake: FakeDiscord,
  storeUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<StartedProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mc-shards-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      DISCORD_TOKEN: fake.token,
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
      STORE_URL: storeUrl,
      BASELINE_SECRET: 'a-test-secret-of-enough-length',
      MEDICONFUSION_DATA_DIR: path.join(dir, 'data'),
      MODELS_FILE: path.join(dir, 'no-models.yaml'),
      RUNS_DIR: path.join(dir, 'runs'),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  const parsed: LogLine[] = [];
  const listeners = new Set<() => void>();
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    partial += chunk.toString('utf8');
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const text of complete) {
      try {
        parsed.push(JSON.parse(text) as LogLine);
      } catch {
        parsed.push({ msg: text });
      }
    }
    for (const listener of [...listeners]) listener();
  });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const output = () => Buffer.concat(chunks).toString('utf8');
  return {
    child,
    exited,
    dir,
    lines: () => parsed,
    output,
    kill: (signal) => child.kill(signal),
    waitForLine(predicate, what, timeoutMs = 90_000) {
      const found = parsed.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`Timed out waiting for ${what}. The process printed:\n${output().slice(-6000)}`));
        }, timeoutMs);
        const check = () => {
          const line = parsed.find(predicate);
          if (line === undefined) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(line);
        };
        listeners.add(check);
        void exited.then(({ code, signal }) => {
          if (!listeners.has(check)) return;
          clearTimeout(timer);
          listeners.delete(check);
          reject(
            new Error(`The process exited (${code ?? signal}) before ${what}:\n${output().slice(-6000)}`),
          );
        });
      });
    },
    async cleanUp() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Messages the bot posted in one channel itself (not interaction replies), oldest first. */
export function postsIn(fake: FakeDiscord, channelId: string): FakeMessage[] {
  return [...fake.world.messages.values()].filter(
    (m) => m.channelId === channelId && m.interactionId === null && m.author.bot,
  );
}

export function waitForPostIn(
  fake: FakeDiscord,
  channelId: string,
  predicate: (message: FakeMessage) => boolean,
  what: string,
): Promise<FakeMessage> {
  return fake.waitUntil(() => postsIn(fake, channelId).find(predicate), `${what} in channel ${channelId}`);
}

export const isRoundMessage = (round: number) => (m: FakeMessage) =>
  m.attachments.some((a) => a.filename === `round-${round}.jpg`);

export const isReveal = (number: number) => (m: FakeMessage) =>
  m.embeds.some((e) => e.title?.startsWith(`Answers · question ${number} `));
