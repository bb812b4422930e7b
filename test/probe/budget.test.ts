import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, start } from '../support/fake-openai.js';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './harness.js';

let ws: Workspace;
let fake: FakeServer;

/** What each request asked: the image and the question, which together name one image of one pair. */
function askedSlots(from = 0): string[] {
  return fake.requests.slice(from).map((r) => `${r.call?.images[0]?.sha256}|${r.call?.prompt}`);
}

beforeAll(async () => {
  ws = await makeWorkspace();
  // 100 input tokens per request at $1000 per million: every request costs exactly $0.10.
  fake = await start({ handler: () => ({ kind: 'text', text: 'B', usage: { input: 100, output: 0 } }) });
  await ws.writeModels(
    modelsYaml(
      openaiModel('metered', fake.url, { concurrency: 2, price: { input: 1000, output: 1000 } }),
      openaiModel('metered-solo', fake.url, { concurrency: 1, price: { input: 1000, output: 1000 } }),
    ),
  );
});

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('a hard budget', () => {
  it('stops after --max-requests, keeps what was answered, and the next run finishes without asking any image twice', async () => {
    const out = path.join(ws.dir, 'out-requests');
    const stopped = await ws.cli([
      'probe',
      'run',
      '--model',
      'metered',
      '--pairs',
      '10',
      '--max-requests',
      '7',
      '--out',
      out,
    ]);
    expect(stopped.code).toBe(0);
    expect(fake.requests).toHaveLength(7);
    const first = await ws.readRunFile(out);
    expect(first.run.status).toBe('stopped-by-budget');
    expect(first.run.counts).toMatchObject({ images: 20, pending: 13, requests: 7 });
    expect(first.results).toHaveLength(7);
    expect(stopped.out).toContain('Run the same command again to continue');

    const out2 = path.join(ws.dir, 'out-requests-2');
    const resumed = await ws.cli(['probe', 'run', '--model', 'metered', '--pairs', '10', '--out', out2]);
    expect(resumed.code).toBe(0);
    const second = await ws.readRunFile(out2);
    expect(second.run.status).toBe('completed');
    expect(second.run.counts).toMatchObject({ images: 20, pending: 0, requests: 13, cacheHits: 7 });
    const all = askedSlots();
    expect(all).toHaveLength(20);
    expect(new Set(all).size).toBe(20);
  });

  it('stops once --max-cost is spent, from token usage times the price', async () => {
    const before = fake.requests.length;
    const out = path.join(ws.dir, 'out-cost');
    const run = await ws.cli([
      'probe',
      'run',
      '--model',
      'metered-solo',
      '--pairs',
      '10',
      '--max-cost',
      '0.35',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    // One at a time: $0.30 spent is under the limit, so a fourth request goes; $0.40 is not.
    expect(fake.requests.length - before).toBe(4);
    const { run: record } = await ws.readRunFile(out);
    expect(record.status).toBe('stopped-by-budget');
    expect(record.usage.costUsd).toBeCloseTo(0.4, 10);
    expect(run.out).toContain('cost $0.40');
  });

  it('refuses --max-cost for a model without a price', async () => {
    await ws.writeModels(modelsYaml(openaiModel('free', fake.url)));
    const run = await ws.cli(['probe', 'run', '--model', 'free', '--pairs', '1', '--max-cost', '1']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('free has no `price`');
  });
});
