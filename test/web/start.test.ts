import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app/compose.js';
import { createCliContext } from '../../src/cli/context.js';
import { UserFacingError } from '../../src/errors.js';
import { ROOT, SHARED_DATASET_DIR } from '../support/paths.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';

/** `npm start`: which pairs it quizzes on, what it says, and how it fails. */

let cwd: string;
let out: PassThrough;
let printed: string;
const running: RunningApp[] = [];

beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'start-test-'));
  out = new PassThrough();
  printed = '';
  out.on('data', (chunk) => {
    printed += String(chunk);
  });
});
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
  await rm(cwd, { recursive: true, force: true });
});

function context(env: Record<string, string> = {}) {
  return createCliContext({ env: { LOG_LEVEL: 'silent', ...env }, cwd, out, err: new PassThrough() });
}

async function start(
  env: Record<string, string> = {},
  hooks: Parameters<typeof startApp>[2] = {},
  options: Parameters<typeof startApp>[1] = {},
): Promise<RunningApp> {
  const app = await startApp(context(env), { port: 0, ...options }, hooks);
  running.push(app);
  return app;
}

describe('npm start', () => {
  it('falls back to the demo set, and says why on the page, when the dataset cannot be downloaded', async () => {
    const asked: string[] = [];
    const app = await start(
      {},
      {
        fetchDataset: async (dir) => {
          asked.push(dir);
          throw new Error('getaddrinfo ENOTFOUND huggingface.co');
        },
      },
    );
    expect(asked).toEqual([path.join(cwd, 'data', 'mediconfusion')]);
    expect(printed).toContain('downloading it');
    expect(app.set.name).toBe('demo-synthetic');
    expect(app.banner).toMatch(
      /not real patient images: the MediConfusion dataset is not in .* could not be downloaded/,
    );
    const page = await (await fetch(app.urls.join)).text();
    expect(page).toContain('class="banner"');
    expect(page).toContain('Demo questions');
    expect(page).not.toContain('could not be downloaded');
    const host = await (await fetch(app.urls.host.replace(/#.*$/, ''))).text();
    expect(host).toContain('could not be downloaded');
  });

  it('uses the demo set, naming the missing images, when the dataset is there without its images', async () => {
    const dataDir = path.join(cwd, 'data', 'mediconfusion');
    await mkdir(dataDir, { recursive: true });
    for (const name of ['dataset.json', 'image_dict.json', 'statistics.json', 'answering-prompts.json']) {
      await copyFile(path.join(SHARED_DATASET_DIR, name), path.join(dataDir, name));
    }
    const app = await start(
      {},
      {
        fetchDataset: async () => {
          throw new Error('must not download when the dataset files are there');
        },
      },
    );
    expect(app.set.name).toBe('demo-synthetic');
    expect(app.banner).toMatch(/228 of the 228 MediConfusion images are missing from .*images/);
  });

  it('quizzes on MediConfusion when the dataset and its images are there', async () => {
    const dataDir = await makeOfficialDataDir(cwd);
    const app = await start({ MEDICONFUSION_DATA_DIR: dataDir }, {}, { fetch: false });
    expect(app.set.name).toBe('official');
    expect(app.set.pairs).toHaveLength(176);
    expect(app.banner).toBeNull();
    expect(await (await fetch(app.urls.join)).text()).not.toContain('class="banner"');
  });

  it('downloads the dataset on the first start and then uses it', async () => {
    const source = await makeOfficialDataDir();
    try {
      const app = await start({}, { fetchDataset: (dir) => cp(source, dir, { recursive: true }) });
      expect(app.set.name).toBe('official');
      expect(app.banner).toBeNull();
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });

  it('keeps the same room and host link from one start to the next', async () => {
    const first = await start({}, {}, { fetch: false });
    const { host, join } = first.urls;
    expect(host).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/host\/[A-Z2-9]{5}#key=[A-Za-z0-9_-]{32}$/);
    await first.close();
    running.splice(0);
    const second = await start({}, {}, { fetch: false });
    expect(second.urls.host.replace(/:\d+\//, ':PORT/')).toBe(host.replace(/:\d+\//, ':PORT/'));
    expect(second.urls.join.replace(/:\d+\//, ':PORT/')).toBe(join.replace(/:\d+\//, ':PORT/'));
  });

  it('puts PUBLIC_URL in the join link and its QR code', async () => {
    const app = await start({ PUBLIC_URL: 'https://quiz.example.org/' }, {}, { fetch: false });
    expect(app.urls.join).toMatch(/^https:\/\/quiz\.example\.org\/join\/[A-Z2-9]{5}$/);
  });

  it('refuses a custom set whose images leave its folder or are not pictures, listing every problem', async () => {
    const setDir = path.join(cwd, 'escape');
    await mkdir(path.join(setDir, 'images'), { recursive: true });
    await copyFile(
      path.join(ROOT, 'data', 'demo', 'images', 'bone-broken.png'),
      path.join(setDir, 'images', 'ok.png'),
    );
    await writeFile(path.join(setDir, 'images', 'notes.png'), 'not an image\n');
    const image = (file: string, answer: string) =>
      `      - { file: ${file}, answer: ${answer}, categories: [Bone] }\n`;
    await writeFile(
      path.join(setDir, 'escape.yaml'),
      'name: escape\ncategories: [Bone]\npairs:\n' +
        '  - id: p1\n    question: Broken?\n    options: { A: "yes", B: "no" }\n    images:\n' +
        image('../../../../../../../etc/passwd', 'A') +
        image('images/ok.png', 'B') +
        '  - id: p2\n    question: Broken?\n    options: { A: "yes", B: "no" }\n    images:\n' +
        image('/etc/hostname', 'A') +
        image('images/notes.png', 'B'),
    );
    const error = await startApp(context(), { port: 0, fetch: false, set: 'escape/escape.yaml' }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    const message = (error as UserFacingError).message;
    expect(message).toMatch(/pair p1, images\[0\]\.file .*outside the set's folder/);
    expect(message).toMatch(/pair p2, images\[0\]\.file .*outside the set's folder/);
    expect(message).toMatch(/notes\.png.*cannot be decoded/);
  });

  it('names the port when it is already taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const error = await startApp(context(), { port, fetch: false }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UserFacingError);
      expect((error as UserFacingError).message).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect((error as UserFacingError).message).toContain('--port');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('the start command', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child !== null && child.exitCode === null) child.kill('SIGKILL');
    child = null;
  });

  /** `mediconfusion start --port 0 …` from the sources, as its own process. */
  function spawnStart(args: string[], env: Record<string, string>): ChildProcess {
    child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
        path.join(ROOT, 'src', 'cli.ts'),
        'start',
        '--port',
        '0',
        ...args,
      ],
      { cwd, env: { ...process.env, DISCORD_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return child;
  }

  it('stops cleanly, exit code 0, when SIGTERM arrives during the first dataset download', {
    timeout: 60_000,
  }, async () => {
    // A dataset server that takes the request and never answers: the download is under way.
    let asked: () => void = () => {};
    const askedOnce = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const server = createHttpServer(() => asked());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const proc = spawnStart([], {
        LOG_LEVEL: 'info',
        MEDICONFUSION_DATASET_URL: url,
        MEDICONFUSION_PROMPTS_URL: `${url}/answering.json`,
        MEDICONFUSION_STATISTICS_URL: `${url}/statistics.json`,
      });
      let output = '';
      proc.stdout?.on('data', (chunk) => {
        output += String(chunk);
      });
      proc.stderr?.on('data', (chunk) => {
        output += String(chunk);
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        proc.once('exit', (code, signal) => resolve({ code, signal })),
      );
      await askedOnce;
      proc.kill('SIGTERM');
      // Handled, not killed by the signal: the download was stopped and nothing was left running.
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(output).toContain('stopped during start-up');
      expect(output).not.toContain('Host view');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('prints the host and join links, serves them, and stops cleanly on Ctrl+C', {
    timeout: 60_000,
  }, async () => {
    const proc = spawnStart(['--no-fetch'], { LOG_LEVEL: 'warn' });
    let stdout = '';
    let stderr = '';
    proc.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const urls = await new Promise<{ host: string; join: string }>((resolve, reject) => {
      proc.stdout?.on('data', (chunk) => {
        stdout += String(chunk);
        const host = /Host view[^:]*:\s+(\S+)/.exec(stdout)?.[1];
        const join = /Join link[^:]*:\s+(\S+)/.exec(stdout)?.[1];
        if (host && join && stdout.includes('Press Ctrl+C')) resolve({ host, join });
      });
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
    });
    expect(stdout).toContain('DEMO SET');
    // It listens on 127.0.0.1: the console says phones cannot join, and how to fix it.
    expect(stdout).toMatch(/Warning: Phones cannot open this join link.*--host 0\.0\.0\.0.*PUBLIC_URL/);
    expect(urls.host).toContain('#key=');
    const page = await fetch(urls.join);
    expect(page.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
