import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { DEMO_SET_FILE } from '../src/app/quiz-set.js';
import { loadCustomSetStrict } from '../src/dataset/custom.js';
import { createLogger } from '../src/logger.js';
import { QuizEngine } from '../src/quiz/engine.js';
import { InMemoryModelAnswers } from '../src/quiz/model-answers.js';
import { QuizArchive } from '../src/quiz/quiz-archive.js';
import { openStore } from '../src/store/open-store.js';
import type { QuestionView, ServerMessage } from '../src/web/protocol.js';
import { startWebServer } from '../src/web/server.js';

/**
 * The web channel under a classroom's worth of phones: 200 participants on their own WebSockets, each
 * answering both images at a random moment within the same second. Every answer must be acknowledged and in
 * the store (SQLite, synchronous=FULL: acknowledged means on disk); the acknowledgement latency is what a
 * participant waits between the tap and "Recorded".
 */

const PARTICIPANTS = 200;
const WINDOW_MS = 1000;
/** The target a participant should not notice: p99 under this. */
const TARGET_P99_MS = 250;

type Ack = Extract<ServerMessage, { type: 'ack' }>;

class Participant {
  private readonly pending = new Map<number, (ack: Ack) => void>();
  private nextId = 1;
  me: Promise<void>;

  constructor(
    readonly ws: WebSocket,
    code: string,
    index: number,
  ) {
    let joined: () => void = () => undefined;
    this.me = new Promise((resolve) => {
      joined = resolve;
    });
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.type === 'me') joined();
      if (message.type === 'ack') {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
    });
    const secret = `bench-participant-${String(index).padStart(4, '0')}`;
    ws.send(JSON.stringify({ type: 'hello', role: 'player', room: code, player: secret, name: `P${index}` }));
  }

  /** Sends one answer; resolves with the time to its acknowledgement and whether it was accepted. */
  answer(question: QuestionView, slot: 0 | 1, option: 'A' | 'B'): Promise<{ ms: number; ok: boolean }> {
    const id = this.nextId++;
    const sent = performance.now();
    return new Promise((resolve) => {
      this.pending.set(id, (ack) => resolve({ ms: performance.now() - sent, ok: ack.ok }));
      this.ws.send(
        JSON.stringify({
          type: 'answer',
          id,
          sessionId: question.sessionId,
          round: question.round,
          slot,
          option,
        }),
      );
    });
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'web-bench-'));
  const log = createLogger({ level: 'silent' });
  const store = await openStore(`sqlite://${path.join(dir, 'store.sqlite')}`, { log });
  const set = await loadCustomSetStrict(DEMO_SET_FILE);
  const engine = new QuizEngine({ store, set, models: new InMemoryModelAnswers(), log });
  const web = await startWebServer({
    engine,
    store,
    set,
    log,
    models: [],
    banner: null,
    host: '127.0.0.1',
    port: 0,
    publicUrl: null,
  });
  const sockets: WebSocket[] = [];
  try {
    const wsUrl = `${web.localUrl.replace('http', 'ws')}/ws`;
    const code = web.primary.code;
    const host = await open(wsUrl);
    sockets.push(host);
    const question = await new Promise<QuestionView>((resolve) => {
      host.on('message', (data) => {
        const message = JSON.parse(String(data)) as ServerMessage;
        if (message.type === 'state' && message.state.phase === 'question' && message.state.question) {
          resolve(message.state.question);
        }
      });
      host.send(JSON.stringify({ type: 'hello', role: 'host', room: code, key: web.primary.hostKey }));
      host.send(
        JSON.stringify({
          type: 'start',
          id: 1,
          category: null,
          rounds: 1,
          seconds: 120,
          models: [],
          allowChanges: false,
        }),
      );
    });

    const connectStart = performance.now();
    const participants: Participant[] = [];
    for (let i = 0; i < PARTICIPANTS; i++) {
      const ws = await open(wsUrl);
      sockets.push(ws);
      participants.push(new Participant(ws, code, i));
    }
    await Promise.all(participants.map((p) => p.me));
    console.log(
      `  ${PARTICIPANTS} participants connected and joined                ${(performance.now() - connectStart).toFixed(0)} ms`,
    );

    const start = performance.now();
    const results = await Promise.all(
      participants.flatMap((p, i) =>
        ([0, 1] as const).map(
          (slot) =>
            new Promise<{ ms: number; ok: boolean }>((resolve) => {
              setTimeout(
                () => resolve(p.answer(question, slot, (i + slot) % 2 === 0 ? 'A' : 'B')),
                Math.random() * WINDOW_MS,
              );
            }),
        ),
      ),
    );
    const elapsed = performance.now() - start;
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const accepted = results.filter((r) => r.ok).length;
    const stored = await new QuizArchive(store).answersOfRound(question.sessionId, question.round);
    const p99 = percentile(latencies, 99);
    console.log(
      `  ${results.length} answers sent within ${WINDOW_MS} ms, all acknowledged in ${elapsed.toFixed(0)} ms`,
    );
    console.log(
      `  accepted ${accepted} / ${results.length}, in the store ${stored.length} / ${results.length}`,
    );
    console.log(
      `  acknowledgement latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target < ${TARGET_P99_MS} ms), max ${(latencies.at(-1) ?? 0).toFixed(1)} ms`,
    );
    console.log(`  people with both images answered (engine): ${engine.answeredCount(`web:${code}`)}`);
    if (accepted !== results.length || stored.length !== results.length) {
      console.log('  MISSING ANSWERS: not every answer was recorded');
    }
  } finally {
    for (const ws of sockets) ws.terminate();
    await web.close();
    engine.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
