import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { DEMO_SET_FILE } from '../../src/app/quiz-set.js';
import { loadCustomSetStrict } from '../../src/dataset/custom.js';
import type { PairSet } from '../../src/dataset/model.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { QuizEngine, type QuizEngineOptions, type QuizLimits } from '../../src/quiz/engine.js';
import type { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { ClientMessage, ServerMessage } from '../../src/web/protocol.js';
import { startWebServer, type WebServer, type WebServerOptions } from '../../src/web/server.js';
import { oracleAndAlwaysA } from '../support/reveal-models.js';

export const silent = createLogger({ level: 'silent' });

let demoSet: Promise<PairSet> | undefined;
export function loadDemoSet(): Promise<PairSet> {
  demoSet ??= loadCustomSetStrict(DEMO_SET_FILE);
  return demoSet;
}

export interface WebHarness {
  dir: string;
  store: Store;
  set: PairSet;
  engine: QuizEngine;
  models: InMemoryModelAnswers;
  web: WebServer;
  /** http://127.0.0.1:<port> */
  base: string;
  /** ws://127.0.0.1:<port>/ws */
  wsUrl: string;
  code: string;
  hostKey: string;
  close(): Promise<void>;
}

/**
 * The web channel on a free loopback port: the demo set, a real SQLite store in a temp folder, and an engine
 * whose models are an in-memory source (`models`) with a fixed-answer model `oracle` that is always right.
 */
export async function openWebHarness(
  options: {
    limits?: Partial<QuizLimits>;
    banner?: string | null;
    dir?: string;
    /** The web server's logger (default: silent), for tests of what is logged. */
    log?: Logger;
    /** More server options (admission limits, clocks). */
    server?: Partial<WebServerOptions>;
    /** The engine's models (default: `oracle` and `always-a`). */
    models?: InMemoryModelAnswers;
    /** The engine's clock and timers (default: the system's), e.g. a ManualClock to cross a deadline while down. */
    engine?: Pick<QuizEngineOptions, 'clock' | 'scheduler'>;
  } = {},
): Promise<WebHarness> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'web-test-')));
  const store = await openStore(`sqlite://${path.join(dir, 'store.sqlite')}`, { log: silent });
  const set = await loadDemoSet();
  const models = options.models ?? oracleAndAlwaysA();
  const limits = { minSeconds: 1, ...options.limits };
  const engine = new QuizEngine({
    store,
    set,
    models,
    log: silent,
    random: seededRandom(7),
    limits,
    ...options.engine,
  });
  await engine.recover();
  const web = await startWebServer({
    engine,
    store,
    set,
    log: options.log ?? silent,
    models: [
      { id: 'oracle', note: 'always right (test)' },
      { id: 'always-a', note: 'always A (test)' },
    ],
    banner: options.banner ?? null,
    host: '127.0.0.1',
    port: 0,
    publicUrl: null,
    limits,
    countIntervalMs: 20,
    ...options.server,
  });
  return {
    dir,
    store,
    set,
    engine,
    models,
    web,
    base: web.localUrl,
    wsUrl: `${web.localUrl.replace('http', 'ws')}/ws`,
    code: web.primary.code,
    hostKey: web.primary.hostKey,
    async close() {
      await web.close();
      engine.close();
      await store.close();
      if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

type Ack = Extract<ServerMessage, { type: 'ack' }>;

/** A WebSocket client speaking the quiz protocol, keeping every message it received. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  /** Every frame as sent on the wire, for "nothing secret before the reveal" checks. */
  readonly frames: string[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      this.frames.push(text);
      this.received.push(JSON.parse(text) as ServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('close', () => {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestClient(ws);
  }

  send(message: ClientMessage | Record<string, unknown> | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for the first message from `from` on (default: the next one) that matches. */
  async waitFor<T extends ServerMessage>(
    match: (m: ServerMessage) => m is T,
    from = this.received.length,
    timeoutMs = 10_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.closed)
        throw new Error(`socket closed while waiting; got ${JSON.stringify(this.received.slice(from))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; got ${JSON.stringify(this.received.slice(from))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request with an id and resolves with its acknowledgement. */
  async request(message: Record<string, unknown>): Promise<Ack> {
    const id = this.nextId++;
    const from = this.received.length;
    this.send({ ...message, id });
    return this.waitFor((m): m is Ack => m.type === 'ack' && m.id === id, from);
  }

  last<K extends ServerMessage['type']>(type: K): Extract<ServerMessage, { type: K }> | undefined {
    return this.received.filter((m): m is Extract<ServerMessage, { type: K }> => m.type === type).at(-1);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    await done;
  }
}

export const isType =
  <K extends ServerMessage['type']>(type: K) =>
  (m: ServerMessage): m is Extract<ServerMessage, { type: K }> =>
    m.type === type;

/** A state message in this phase. */
export const isPhase =
  (phase: string) =>
  (m: ServerMessage): m is Extract<ServerMessage, { type: 'state' }> =>
    m.type === 'state' && m.state.phase === phase;

/** The question a client's screen shows now (its latest state), as its host buttons would name it. */
export function onScreen(client: TestClient): { sessionId: string; round: number } {
  const question = client.last('state')?.state.question;
  if (question === null || question === undefined) throw new Error('this screen shows no question');
  return { sessionId: question.sessionId, round: question.round };
}

export async function joinAsHost(h: WebHarness): Promise<TestClient> {
  const client = await TestClient.connect(h.wsUrl);
  client.send({ type: 'hello', role: 'host', room: h.code, key: h.hostKey });
  await client.waitFor(isType('state'), 0);
  return client;
}

export async function joinAsPlayer(h: WebHarness, secret: string, name: string): Promise<TestClient> {
  const client = await TestClient.connect(h.wsUrl);
  client.send({ type: 'hello', role: 'player', room: h.code, player: secret, name });
  await client.waitFor(isType('me'), 0);
  return client;
}

/** A participant secret of the right shape, distinct per label. */
export const secretFor = (label: string): string => `test-participant-${label}`.padEnd(20, 'x');

export async function startQuiz(
  host: TestClient,
  settings: Partial<{
    rounds: number;
    seconds: number;
    models: string[];
    category: string | null;
    allowChanges: boolean;
  }> = {},
): Promise<Extract<ServerMessage, { type: 'state' }>> {
  const from = host.received.length;
  const ack = await host.request({
    type: 'start',
    category: null,
    rounds: 2,
    seconds: 60,
    models: [],
    allowChanges: false,
    ...settings,
  });
  if (!ack.ok) throw new Error(`start refused: ${ack.message}`);
  return host.waitFor(isPhase('question'), from);
}
