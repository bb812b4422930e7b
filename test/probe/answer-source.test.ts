import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModelsFile } from '../../src/adapters/models-file.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import { createLogger } from '../../src/logger.js';
import { ProbeAnswerSource } from '../../src/probe/answer-source.js';
import { PairAsker } from '../../src/probe/ask-pair.js';
import { probeStores } from '../../src/probe/stores.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { type FakeServer, start } from '../support/fake-openai.js';
import { makeWorkspace, modelsYaml, openaiModel, runIdFrom, type Workspace } from './harness.js';

/**
 * The quiz's model answers come from the probe's cache, asked exactly as `probe run` asks: these tests
 * run the real CLI and the source against the same SQLite store and one fake OpenAI server.
 */

let ws: Workspace;
let fake: FakeServer;
let store: Store;
let recordedRunId: string;

/** Replies per image hash; everything else gets "A". */
const replies = new Map<string, string>();

const pairAt = (index: number): ConfusingPair => {
  const pair = ws.set.pairs[index];
  if (!pair) throw new Error(`the set has no pair #${index}`);
  return pair;
};
const shaOf = (pair: ConfusingPair, slot: 0 | 1) => ws.imageSha.get(pair.images[slot].localId) ?? '';
const requestsTo = (model: string) => fake.requests.filter((r) => r.call?.model === `fake-${model}`).length;

async function source(): Promise<ProbeAnswerSource> {
  const asker = new PairAsker({
    models: await loadModelsFile(ws.modelsFile),
    env: ws.env,
    stores: probeStores(store),
    set: ws.set,
    dataDir: ws.dataDir,
    runsDir: ws.runsDir,
    log: createLogger({ level: 'silent' }),
    backoff: { maxAttempts: 2, baseMs: 0, capMs: 0, maxRetryAfterMs: 0 },
  });
  return new ProbeAnswerSource(asker, createLogger({ level: 'silent' }));
}

beforeAll(async () => {
  ws = await makeWorkspace();
  fake = await start({
    handler: (call) => {
      const sha = call.images[0]?.sha256 ?? '';
      if (call.model === 'fake-broken') return { kind: 'error', status: 400, message: 'model not found' };
      return { kind: 'text', text: replies.get(sha) ?? 'A' };
    },
  });
  await ws.writeModels(
    modelsYaml(
      openaiModel('recorded', fake.url),
      openaiModel('live', fake.url, { live: true }),
      openaiModel('broken', fake.url, { live: true }),
      // Filled in below with the id of the recorded run.
    ),
  );
  replies.set(shaOf(pairAt(0), 0), 'B');
  const run = await ws.cli(['probe', 'run', '--model', 'recorded', '--pairs', '2', '--no-progress']);
  if (run.code !== 0) throw new Error(`probe run failed:\n${run.out}\n${run.err}`);
  recordedRunId = runIdFrom(run.out);
  await ws.writeModels(
    modelsYaml(
      openaiModel('recorded', fake.url),
      openaiModel('live', fake.url, { live: true }),
      openaiModel('broken', fake.url, { live: true }),
      `  - id: replayed\n    provider: replay\n    run: ${JSON.stringify(recordedRunId)}\n`,
    ),
  );
  store = await openStore(ws.storeUrl, { cwd: ws.dir });
});

afterAll(async () => {
  await store?.close();
  await fake?.close();
  await ws?.cleanup();
});

describe('ProbeAnswerSource', () => {
  it('lists the models of the models file', async () => {
    expect(await (await source()).knownModels()).toEqual(['recorded', 'live', 'broken', 'replayed']);
  });

  it('answers a pair a probe run asked from the cache, without a request', async () => {
    const before = fake.requests.length;
    const answers = await (await source()).answersFor('recorded', pairAt(0));
    expect(answers).toEqual({ ok: true, chosen: ['B', 'A'], raw: ['B', 'A'] });
    expect(fake.requests.length).toBe(before);
  });

  it('gives a model that is not live and has no cached answer a reason naming the command to run', async () => {
    const before = fake.requests.length;
    const answers = await (await source()).answersFor('recorded', pairAt(5));
    expect(answers).toEqual({
      ok: false,
      reason: 'no cached answer; run `mediconfusion probe run --model recorded`',
    });
    expect(fake.requests.length).toBe(before);
  });

  it('asks a live model once, then answers the same pair from the cache', async () => {
    const pair = pairAt(3);
    replies.set(shaOf(pair, 1), 'B');
    const answers = await source();
    expect(await answers.answersFor('live', pair)).toEqual({ ok: true, chosen: ['A', 'B'], raw: ['A', 'B'] });
    expect(requestsTo('live')).toBe(2);
    expect(await (await source()).answersFor('live', pair)).toEqual({
      ok: true,
      chosen: ['A', 'B'],
      raw: ['A', 'B'],
    });
    expect(requestsTo('live')).toBe(2);
  });

  it('stores live answers under the keys probe runs read, so a later run asks nothing again', async () => {
    await (await source()).answersFor('live', pairAt(0));
    await (await source()).answersFor('live', pairAt(1));
    const before = requestsTo('live');
    const run = await ws.cli(['probe', 'run', '--model', 'live', '--pairs', '2', '--no-progress']);
    expect(run.code).toBe(0);
    expect(requestsTo('live')).toBe(before);
  });

  it('turns a failing model into a short reason', async () => {
    const answers = await (await source()).answersFor('broken', pairAt(4));
    expect(answers.ok).toBe(false);
    if (answers.ok) return;
    expect(answers.reason).toContain('model not found');
    expect(answers.reason.length).toBeLessThanOrEqual(140);
    expect(requestsTo('broken')).toBe(2);
  });

  it('does not cache a failure: the next round asks again', async () => {
    const before = requestsTo('broken');
    await (await source()).answersFor('broken', pairAt(4));
    expect(requestsTo('broken')).toBe(before + 2);
  });

  it('gives an invalid reply as an answer with no choice, keeping the raw reply', async () => {
    const pair = pairAt(6);
    replies.set(shaOf(pair, 0), 'A or B');
    replies.set(shaOf(pair, 1), 'I cannot tell.');
    expect(await (await source()).answersFor('live', pair)).toEqual({
      ok: true,
      chosen: [null, null],
      raw: ['A or B', 'I cannot tell.'],
    });
  });

  it('answers a replay model from its recorded run, without a request', async () => {
    const before = fake.requests.length;
    expect(await (await source()).answersFor('replayed', pairAt(0))).toEqual({
      ok: true,
      chosen: ['B', 'A'],
      raw: ['B', 'A'],
    });
    expect(fake.requests.length).toBe(before);
  });

  it('gives a replay model a reason for a pair its run never asked', async () => {
    const answers = await (await source()).answersFor('replayed', pairAt(7));
    expect(answers.ok).toBe(false);
    if (answers.ok) return;
    expect(answers.reason).toContain(`run ${recordedRunId} has no recorded answer`);
  });

  it('answers an unknown model id with a reason', async () => {
    expect(await (await source()).answersFor('nobody', pairAt(0))).toEqual({
      ok: false,
      reason: 'unknown model nobody',
    });
  });

  it('stops waiting when the round is aborted, and still caches the reply that arrives later', async () => {
    const pair = pairAt(8);
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = await start({
      handler: async () => {
        await released;
        return { kind: 'text', text: 'B' };
      },
    });
    try {
      // Same model at the same server, not live: it can only answer from the cache.
      await ws.writeModels(
        modelsYaml(
          openaiModel('slow', slow.url, { live: true }),
          openaiModel('slow-cached', slow.url, { model: 'fake-slow' }),
        ),
      );
      const answers = await source();
      const controller = new AbortController();
      const pending = answers.answersFor('slow', pair, { signal: controller.signal });
      await vi.waitFor(() => expect(slow.requests).toHaveLength(2), { timeout: 5000 });
      controller.abort();
      expect(await pending).toEqual({ ok: false, reason: 'stopped before the model answered' });
      release();
      await vi.waitFor(
        async () =>
          expect(await answers.answersFor('slow-cached', pair)).toEqual({
            ok: true,
            chosen: ['B', 'B'],
            raw: ['B', 'B'],
          }),
        { timeout: 5000 },
      );
      expect(slow.requests).toHaveLength(2);
    } finally {
      release();
      await slow.close();
    }
  });
});
