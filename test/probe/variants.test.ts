import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfusingPair } from '../../src/dataset/model.js';
import type { Comparison } from '../../src/probe/compare.js';
import type { RunRecord } from '../../src/probe/records.js';
import { alwaysA, type FakeHandler, type FakeServer, start } from '../support/fake-openai.js';
import { makeWorkspace, modelsYaml, openaiModel, runIdFrom, type Workspace } from './harness.js';

/**
 * Robustness variants: `--variant swapped` shows the options in the other order and maps the reply back,
 * `--variant rephrased` asks the dataset's own rephrasing; `probe compare` lines the runs up.
 */

const PAIRS = '30';

let ws: Workspace;
let byContent: FakeServer;
let saysA: FakeServer;

/** The option text a content-driven model prefers for an image: the right one for some images, not others. */
function preferredText(pair: ConfusingPair, slot: 0 | 1): string {
  const digest = createHash('sha256').update(`${pair.id}/${slot}`).digest();
  const correct = pair.images[slot].correct;
  const option = (digest[0] ?? 0) % 3 === 0 ? (correct === 'A' ? 'B' : 'A') : correct;
  return pair.options[option];
}

/** Answers with the letter of the option text it prefers, wherever that text is shown. */
function contentModel(): FakeHandler {
  return (call) => {
    const sha = call.images[0]?.sha256;
    for (const pair of ws.set.pairs) {
      for (const slot of [0, 1] as const) {
        if (ws.imageSha.get(pair.images[slot].localId) !== sha) continue;
        if (!call.prompt.includes(`Question: ${pair.question}\n`)) continue;
        const text = preferredText(pair, slot);
        if (call.prompt.includes(`\nA: ${text}\n`)) return { kind: 'text', text: 'A' };
        if (call.prompt.includes(`\nB: ${text}\n`)) return { kind: 'text', text: 'B' };
      }
    }
    return { kind: 'error', status: 400, message: 'unknown question' };
  };
}

async function runOf(model: string, variant: string): Promise<{ id: string; record: RunRecord }> {
  const run = await ws.cli(['probe', 'run', '--model', model, '--pairs', PAIRS, '--variant', variant]);
  if (run.code !== 0) throw new Error(`run failed:\n${run.out}\n${run.err}`);
  const id = runIdFrom(run.out);
  const report = await ws.cli(['probe', 'report', id, '--json']);
  return { id, record: JSON.parse(report.out).run as RunRecord };
}

async function compare(...ids: string[]): Promise<Comparison> {
  const out = await ws.cli(['probe', 'compare', ...ids, '--json']);
  if (out.code !== 0) throw new Error(out.err);
  return JSON.parse(out.out) as Comparison;
}

beforeAll(async () => {
  ws = await makeWorkspace();
  byContent = await start({ handler: contentModel() });
  saysA = await start({ handler: alwaysA });
  await ws.writeModels(
    modelsYaml(openaiModel('by-content', byContent.url), openaiModel('always-a', saysA.url)),
  );
});

afterAll(async () => {
  await byContent?.close();
  await saysA?.close();
  await ws?.cleanup();
});

describe('--variant swapped', () => {
  it('shows the options in the other order', async () => {
    await runOf('always-a', 'swapped');
    const pair = ws.set.pairs[0];
    const prompt = saysA.requests.at(-1)?.call?.prompt ?? '';
    expect(pair).toBeDefined();
    const shown = ws.set.pairs.find((p) => prompt.includes(`Question: ${p.question}\n`));
    // The models file's openai entries use the official `gpt` template: `A: …` / `B: …` lines.
    expect(prompt).toContain(`\nA: ${shown?.options.B}\nB: ${shown?.options.A}\n`);
  });

  it('gives a model that answers by option content the same table in both orders, and no flips', async () => {
    const official = await runOf('by-content', 'official');
    const swapped = await runOf('by-content', 'swapped');
    expect(swapped.record.variant).toBe('swapped');
    expect(swapped.record.scoreTable).toEqual(official.record.scoreTable);
    const comparison = await compare(official.id, swapped.id);
    const all = comparison.rows.find((r) => r.category === 'All');
    expect(all?.flips[0]).toMatchObject({ rate: 0, flips: 0, n: 60 });
  });

  it('gives a model that always answers "A" a different table and a 100% flip rate on every image', async () => {
    const official = await runOf('always-a', 'official');
    const swapped = await runOf('always-a', 'swapped');
    expect(swapped.record.scoreTable).not.toEqual(official.record.scoreTable);
    const comparison = await compare(official.id, swapped.id);
    // Every image's correct option changes position when the options are swapped.
    for (const row of comparison.rows.filter((r) => r.flips[0]?.n)) {
      expect(row.flips[0]?.rate, row.category).toBe(100);
    }
    const all = comparison.rows.find((r) => r.category === 'All');
    expect(all?.flips[0]).toMatchObject({ flips: 60, n: 60 });
    expect(all?.flips[0]?.low).toBeGreaterThan(90);
    expect(comparison.runs.map((r) => r.variant)).toEqual(['official', 'swapped']);
  });

  it('prints per category both runs side by side with flip rates and intervals', async () => {
    const official = await runOf('always-a', 'official');
    const swapped = await runOf('always-a', 'swapped');
    const out = await ws.cli(['probe', 'compare', official.id, swapped.id]);
    expect(out.code).toBe(0);
    expect(out.out).toMatch(
      /\[1\] set acc\s+\[1\] confused\s+\[2\] set acc\s+\[2\] confused\s+flips \[1\]→\[2\]/,
    );
    expect(out.out).toMatch(/^All\s.*100\.0% \(\d+\.\d–100\.0, 60\)$/m);
  });
});

describe('--variant rephrased', () => {
  it("asks the dataset's own rephrasing of the question and options", async () => {
    const before = byContent.requests.length;
    const run = await ws.cli([
      'probe',
      'run',
      '--model',
      'always-a',
      '--pairs',
      '1',
      '--variant',
      'rephrased',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(byContent.requests.length).toBe(before);
    const pair = ws.set.pairs[0];
    const prompt = saysA.requests.at(-1)?.call?.prompt ?? '';
    expect(pair?.rephrased).toBeTruthy();
    expect(prompt).toContain(`Question: ${pair?.rephrased?.question}\nA: ${pair?.rephrased?.options.A}\n`);
    expect(run.out).toMatch(/variant rephrased/);
  });
});
