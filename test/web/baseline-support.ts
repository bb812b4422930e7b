import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaselineService } from '../../src/baseline/service.js';
import { baselineCollections } from '../../src/baseline/store-layout.js';
import type { PairSet } from '../../src/dataset/model.js';
import { QuizEngine } from '../../src/quiz/engine.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { oracleAndAlwaysA } from '../support/reveal-models.js';
import { loadDemoSet, silent } from './harness.js';

export const SECRET = 'web-baseline-test-secret-0123456789ab';

export interface WebBaselineHarness {
  store: Store;
  set: PairSet;
  service: BaselineService;
  web: WebServer;
  base: string;
  close(): Promise<void>;
}

/**
 * The web channel with the private baseline on: the demo set, a SQLite store in a temp folder, and two
 * models for the reveal (`oracle` always right, `always-a`).
 */
export async function openWebBaseline(): Promise<WebBaselineHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'web-baseline-'));
  const store = await openStore(`sqlite://${path.join(dir, 'store.sqlite')}`, { log: silent });
  const set = await loadDemoSet();
  const models = oracleAndAlwaysA();
  const engine = new QuizEngine({ store, set, models, log: silent, random: seededRandom(7) });
  await engine.recover();
  const service = new BaselineService({
    store,
    set,
    secret: SECRET,
    log: silent,
    random: seededRandom(5),
    models: { source: models, ids: ['oracle', 'always-a'] },
  });
  const web = await startWebServer({
    engine,
    store,
    set,
    log: silent,
    models: [],
    banner: null,
    host: '127.0.0.1',
    port: 0,
    publicUrl: null,
    baseline: service,
  });
  return {
    store,
    set,
    service,
    web,
    base: web.localUrl,
    async close() {
      await web.close();
      engine.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON to the baseline API; resolves with the status and the parsed body (and its raw text). */
export async function call(
  h: { base: string },
  route: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await fetch(`${h.base}/api/baseline/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

export async function baselineCounts(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, collection] of Object.entries(baselineCollections(store))) {
    let n = 0;
    for await (const _ of (collection as { entries(): AsyncIterable<unknown> }).entries()) n++;
    counts[name] = n;
  }
  return counts;
}

/** A participant id of the shape the page makes (the web quiz's browser id). */
export const participantId = (label: string): string => `browser-${label}`.padEnd(24, 'x');
