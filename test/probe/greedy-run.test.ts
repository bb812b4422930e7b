import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyWithTopLogprobs } from '../support/fake-logprobs.js';
import { type FakeServer, start } from '../support/fake-openai.js';
import { SHARED_SCORING_CASES_DIR } from '../support/paths.js';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './harness.js';

/**
 * Greedy mode against a server returning log-probabilities in the published Chat Completions shape. The
 * letters the probabilities imply are those of an official scoring case (uniform random letters, seed 0),
 * so the run's table must be exactly the official one.
 */

type Letter = 'A' | 'B';
interface ExpectedPair {
  im1_chosen: Letter;
  im2_chosen: Letter;
}

const CASE = path.join(SHARED_SCORING_CASES_DIR, 'mc_random_seed0');

/** The top tokens for an image whose implied letter is `letter`; `variant` varies how it is implied. */
function topFor(letter: Letter, variant: number): Array<[string, number]> {
  const other = letter === 'A' ? 'B' : 'A';
  switch (variant % 3) {
    case 0:
      return [
        [letter, 0.9],
        [other, 0.06],
        ['(', 0.02],
      ];
    case 1:
      // The other letter is not listed: the listed one is chosen.
      return [
        [letter, 0.5],
        ['(', 0.3],
        ['The', 0.1],
      ];
    default:
      // Variants of one letter add up: " A" counts for A.
      return [
        [letter, 0.4],
        [` ${other}`, 0.35],
        [` ${letter}`, 0.2],
      ];
  }
}

let ws: Workspace;
let fake: FakeServer;
let expected: Record<string, ExpectedPair>;
let outDir: string;
let run: Awaited<ReturnType<Workspace['cli']>>;

beforeAll(async () => {
  ws = await makeWorkspace();
  expected = JSON.parse(await readFile(path.join(CASE, 'expected_pairs.json'), 'utf8'));
  // Images recur across pairs, so a request is told apart by its image and its question.
  const byRequest: Array<{ sha: string; question: string; top: Array<[string, number]> }> = [];
  let n = 0;
  for (const pair of ws.set.pairs) {
    const e = expected[pair.id];
    if (!e) throw new Error(`no expected letters for pair ${pair.id}`);
    for (const [slot, letter] of [
      [0, e.im1_chosen],
      [1, e.im2_chosen],
    ] as const) {
      const sha = ws.imageSha.get(pair.images[slot].localId) ?? '';
      const question = `Question: ${pair.question}\nA: ${pair.options.A}\nB: ${pair.options.B}\n`;
      byRequest.push({ sha, question, top: topFor(letter, n++) });
    }
  }
  fake = await start({
    handler: (call) => {
      const sha = call.images[0]?.sha256;
      const top = byRequest.find((r) => r.sha === sha && call.prompt.includes(r.question))?.top;
      return top
        ? replyWithTopLogprobs(call.model, top)
        : { kind: 'error', status: 400, message: 'unknown image' };
    },
  });
  await ws.writeModels(modelsYaml(openaiModel('local-llava', fake.url, { concurrency: 8 })));
  outDir = path.join(ws.dir, 'out-greedy');
  run = await ws.cli(['probe', 'run', '--model', 'local-llava', '--protocol', 'greedy', '--out', outDir]);
});

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('probe run --protocol greedy', () => {
  it('asks each image once for one token with its top log-probabilities, without a system prompt', () => {
    expect(run.code, run.err).toBe(0);
    // Two of the 352 questions are the same request (pairs 10114 and 10115 share an image and a question):
    // the second may come from the cache, unless both were in flight at once.
    const asked = fake.requests.map((r) => `${r.call?.images[0]?.sha256}|${r.call?.prompt}`);
    expect(new Set(asked).size).toBe(351);
    expect(asked.length).toBeLessThanOrEqual(352);
    const body = fake.requests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ logprobs: true, top_logprobs: 20, max_tokens: 1, temperature: 0 });
    expect(fake.requests[0]?.call?.system).toBeNull();
    expect(fake.requests[0]?.call?.prompt).toContain(
      "Answer with the option's letter from the given choices directly.\nAnswer: ",
    );
  });

  it('writes exactly the official count table for the letters the probabilities imply', async () => {
    const official = JSON.parse(await readFile(path.join(CASE, 'expected_table.json'), 'utf8'));
    const written = JSON.parse(await readFile(path.join(outDir, 'local-llava_greedy_score.json'), 'utf8'));
    expect(written).toEqual(official.raw_score_table);
  });

  it('records both normalised probabilities and the confidence in the chosen letter', async () => {
    const { results } = await ws.readRunFile(outDir);
    // Image 0 (variant 0): chosen 0.9 against 0.06.
    const first = results[0];
    const letter = expected[ws.set.pairs[0]?.id ?? '']?.im1_chosen;
    expect(first?.chosen).toBe(letter);
    expect(first?.confidence).toBeCloseTo(0.9 / 0.96, 12);
    // Image 2 (variant 2): 0.4 + 0.2 for the letter against 0.35.
    expect(results[2]?.confidence).toBeCloseTo(0.6 / 0.95, 12);
    // Image 1 (variant 1): the other letter is unlisted, bounded by the least probable listed token (0.1).
    expect(results[1]?.confidence).toBeCloseTo(0.5 / 0.6, 12);
    expect(results[1]?.reason).toMatch(/not among the 3 listed tokens/);
  });

  it('writes the official answers file with the chosen letter as the answer', async () => {
    const answers = JSON.parse(await readFile(path.join(outDir, 'local-llava_greedy.json'), 'utf8'));
    const pairId = ws.set.pairs[0]?.id ?? '';
    const letter = expected[pairId]?.im1_chosen;
    expect(answers[pairId].answer.im1).toMatchObject({
      full_answer: letter,
      A: letter === 'A' ? 10 : 0,
      B: letter === 'B' ? 10 : 0,
    });
    expect(
      answers[pairId].answer.im1.probabilities.A + answers[pairId].answer.im1.probabilities.B,
    ).toBeCloseTo(1);
  });

  it('imports its own answers file back as a greedy run with the same table and confidences', async () => {
    const imported = await ws.cli([
      'probe',
      'import',
      path.join(outDir, 'local-llava_greedy.json'),
      '--model',
      'again',
    ]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toMatch(/protocol greedy/);
    const id = /Imported as run (\S+)\./.exec(imported.out)?.[1] ?? '';
    const report = await ws.cli(['probe', 'report', id, '--json']);
    const { run: record, results } = JSON.parse(report.out);
    const official = JSON.parse(await readFile(path.join(CASE, 'expected_table.json'), 'utf8'));
    expect(record.scoreTable).toEqual(official.raw_score_table);
    expect(results[0].confidence).toBeCloseTo(0.9 / 0.96, 12);
  });
});

describe('probe run --protocol greedy against a server without log-probabilities', () => {
  it('stops at once with an error naming the model and the endpoint', async () => {
    const plain = await start();
    try {
      await ws.writeModels(modelsYaml(openaiModel('plain-model', plain.url, { concurrency: 1 })));
      const failed = await ws.cli([
        'probe',
        'run',
        '--model',
        'plain-model',
        '--protocol',
        'greedy',
        '--out',
        path.join(ws.dir, 'out-plain'),
      ]);
      expect(failed.code).not.toBe(0);
      expect(failed.err).toContain(`Model plain-model (${plain.url}) returned no token log-probabilities`);
      expect(failed.out).not.toMatch(/INVALID|invalid/);
      // Fail fast: the images already in flight (two at concurrency 1), not the whole set.
      expect(plain.requests.length).toBeLessThanOrEqual(2);
    } finally {
      await plain.close();
    }
  });
});
