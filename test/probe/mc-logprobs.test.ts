import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedRunAnswers } from '../../src/baseline/recorded-models.js';
import { openStore } from '../../src/store/index.js';
import { replyWithTopLogprobs } from '../support/fake-logprobs.js';
import { type FakeServer, start } from '../support/fake-openai.js';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './harness.js';

/** Multiple choice with --logprobs: the official parser's letter, and how sure the model was of it. */

let ws: Workspace;
let fake: FakeServer;

beforeAll(async () => {
  ws = await makeWorkspace();
  fake = await start({
    handler: (call) =>
      replyWithTopLogprobs(
        call.model,
        [
          ['A', 0.96],
          ['B', 0.04],
        ],
        'stop',
      ),
  });
  await ws.writeModels(modelsYaml(openaiModel('gpt', fake.url)));
});

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('probe run --protocol mc --logprobs', () => {
  it('asks for log-probabilities and records the confidence of each parsed letter', async () => {
    const outDir = path.join(ws.dir, 'out-mc-logprobs');
    const run = await ws.cli([
      'probe',
      'run',
      '--model',
      'gpt',
      '--pairs',
      '5',
      '--logprobs',
      '--out',
      outDir,
    ]);
    expect(run.code, run.err).toBe(0);
    expect(fake.requests[0]?.body).toMatchObject({ logprobs: true, top_logprobs: 20 });
    const { results } = await ws.readRunFile(outDir);
    expect(results).toHaveLength(10);
    for (const r of results) {
      expect(r.chosen).toBe('A');
      expect(r.confidence).toBeCloseTo(0.96, 12);
    }
    // Five pairs, each given A twice at 96%: every pair is confidently confused.
    expect(run.out).toMatch(
      /Confidently confused pairs \(same option for both images, each ≥ 90% sure\): 5 of 5/,
    );
  });

  it('plays back in reveals with its confidence, from the recorded run', async () => {
    const run = await ws.cli(['probe', 'run', '--model', 'gpt', '--pairs', '2', '--logprobs', '--new-run']);
    expect(run.code, run.err).toBe(0);
    const store = await openStore(ws.storeUrl);
    try {
      const source = recordedRunAnswers(store);
      let played = 0;
      // Every pair the runs asked answers, each image A at 96%; the others have no recorded answer.
      for (const pair of ws.set.pairs) {
        const answers = await source.answersFor('gpt', pair);
        if (!answers.ok) continue;
        played += 1;
        expect(answers.chosen).toEqual(['A', 'A']);
        expect(answers.confidence?.[0]).toBeCloseTo(0.96, 12);
        expect(answers.confidence?.[1]).toBeCloseTo(0.96, 12);
      }
      expect(played).toBeGreaterThanOrEqual(2);
    } finally {
      await store.close();
    }
  });

  it('is refused with the other protocols, which have their own probabilities or none', async () => {
    const run = await ws.cli(['probe', 'run', '--model', 'gpt', '--protocol', 'greedy', '--logprobs']);
    expect(run.code).not.toBe(0);
    expect(run.err).toContain('--logprobs adds confidence to --protocol mc');
  });
});
