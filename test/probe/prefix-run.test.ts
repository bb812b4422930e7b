import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyWithPromptLogprobs } from '../support/fake-logprobs.js';
import { type FakeServer, type RecordedRequest, start } from '../support/fake-openai.js';
import { SHARED_SCORING_CASES_DIR } from '../support/paths.js';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './harness.js';

/**
 * Prefix mode against a loopback server speaking vLLM's documented extension: the option is sent as the
 * final assistant message with `continue_final_message` (and `add_generation_prompt` off, which vLLM
 * documents as exclusive with it), `prompt_logprobs` is asked for, and the reply's top-level
 * `prompt_logprobs` scores every prompt token. The options the scores imply are those of an official scoring
 * case, so the table must be the official one.
 */

const CASE = path.join(SHARED_SCORING_CASES_DIR, 'mc_random_seed0');

interface Question {
  sha: string;
  question: string;
  options: { A: string; B: string };
  winner: 'A' | 'B';
  /** Per-token probability of the losing option (the winner's is 0.5). */
  loser: number;
}

const words = (text: string) => text.split(/(?=\s)/);

/** The prompt as a chat template would tokenise it, ending with the prefilled answer. */
function promptTokens(question: string, answer: string, p: number): Array<[string, number]> {
  return [
    ['<|im_start|>', 0],
    ['user', -3],
    ['\n', -0.5],
    ['<image>', -9],
    ...words(question).map((w): [string, number] => [w, -2]),
    ['<|im_end|>', -0.1],
    ['\n', -0.1],
    ['<|im_start|>', -0.1],
    ['assistant', -0.1],
    ['\n', -0.1],
    ...words(answer).map((w): [string, number] => [w, Math.log(p)]),
  ];
}

function vllmRejects(body: Record<string, unknown>): string | null {
  if (body.continue_final_message !== true) return 'continue_final_message must be true to score a prefill';
  if (body.add_generation_prompt !== false) {
    return 'Cannot set both `continue_final_message` and `add_generation_prompt` to True.';
  }
  if (typeof body.prompt_logprobs !== 'number') return 'prompt_logprobs is required';
  return null;
}

let ws: Workspace;
let fake: FakeServer;
let outDir: string;
let run: Awaited<ReturnType<Workspace['cli']>>;
let questions: Question[];

beforeAll(async () => {
  ws = await makeWorkspace();
  const expected = JSON.parse(await readFile(path.join(CASE, 'expected_pairs.json'), 'utf8'));
  questions = ws.set.pairs.flatMap((pair, i) =>
    ([0, 1] as const).map((slot) => ({
      sha: ws.imageSha.get(pair.images[slot].localId) ?? '',
      question: pair.question,
      options: pair.options,
      winner: expected[pair.id][slot === 0 ? 'im1_chosen' : 'im2_chosen'],
      loser: 0.05 + ((i * 2 + slot) % 9) * 0.05,
    })),
  );
  fake = await start({
    handler: (call, request: RecordedRequest) => {
      const body = request.body as Record<string, unknown>;
      const rejected = vllmRejects(body);
      if (rejected) return { kind: 'error', status: 400, message: rejected };
      const messages = body.messages as Array<{ role: string; content: unknown }>;
      const last = messages.at(-1);
      if (last?.role !== 'assistant' || typeof last.content !== 'string') {
        return { kind: 'error', status: 400, message: 'expected a final assistant message' };
      }
      const answer = last.content;
      const q = questions.find(
        (x) =>
          x.sha === call.images[0]?.sha256 &&
          x.question === call.prompt &&
          (x.options.A === answer || x.options.B === answer),
      );
      if (!q) return { kind: 'error', status: 400, message: 'unknown question' };
      const p = q.options[q.winner] === answer ? 0.5 : q.loser;
      return replyWithPromptLogprobs(call.model, promptTokens(q.question, answer, p));
    },
  });
  await ws.writeModels(modelsYaml(openaiModel('vllm-llava', fake.url, { concurrency: 8 })));
  outDir = path.join(ws.dir, 'out-prefix');
  run = await ws.cli(['probe', 'run', '--model', 'vllm-llava', '--protocol', 'prefix', '--out', outDir]);
});

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('probe run --protocol prefix', () => {
  it('asks twice per image, each option prefilled as the answer to the question alone', () => {
    expect(run.code, run.err).toBe(0);
    // Two options for each of the 352 images, but an image asked the same question in two pairs with an
    // option in common is the same request: the second may come from the cache (or not, when both were in
    // flight at once).
    const distinct = new Set(
      questions.flatMap((q) => [q.options.A, q.options.B].map((o) => `${q.sha}|${q.question}|${o}`)),
    );
    const asked = fake.requests.map((r) => {
      const messages = (r.body as { messages: Array<{ content: unknown }> }).messages;
      return `${r.call?.images[0]?.sha256}|${r.call?.prompt}|${String(messages.at(-1)?.content)}`;
    });
    expect(new Set(asked)).toEqual(distinct);
    expect(asked.length).toBeLessThanOrEqual(704);
    const first = fake.requests[0];
    expect(first?.body).toMatchObject({ prompt_logprobs: 0, max_tokens: 1 });
    expect(first?.call?.system).toBeNull();
    const pairs = new Set(ws.set.pairs.map((p) => p.question));
    expect(pairs.has(first?.call?.prompt ?? '')).toBe(true);
  });

  it('writes exactly the official count table for the options the prompt log-probabilities imply', async () => {
    const official = JSON.parse(await readFile(path.join(CASE, 'expected_table.json'), 'utf8'));
    const written = JSON.parse(await readFile(path.join(outDir, 'vllm-llava_prefix_score.json'), 'utf8'));
    expect(written).toEqual(official.raw_score_table);
  });

  it("records each option's normalised prefix score, the geometric mean of its token probabilities", async () => {
    const { results } = await ws.readRunFile(outDir);
    const q = questions[0];
    const first = results[0];
    if (!q || !first) throw new Error('no results');
    // Uniform token probabilities: the geometric mean is that probability, whatever the option's length.
    const confidence = 0.5 / (0.5 + q.loser);
    expect(first.chosen).toBe(q.winner);
    expect(first.confidence).toBeCloseTo(confidence, 12);
    expect(first.reply).toMatch(/^prefix scores: A 0\.\d+, B 0\.\d+$/);
  });

  it('adds the calibration section and writes the reliability chart', async () => {
    expect(run.out).toMatch(/Calibration \(confidence in the chosen option\)/);
    expect(run.out).toMatch(/Expected calibration error \d+\.\d%/);
    const png = await readFile(path.join(outDir, 'reliability.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('probe run --protocol prefix against a server without prompt log-probabilities', () => {
  it('stops at once with an error naming the model and the endpoint', async () => {
    const plain = await start();
    try {
      await ws.writeModels(modelsYaml(openaiModel('plain', plain.url, { concurrency: 1 })));
      const failed = await ws.cli([
        'probe',
        'run',
        '--model',
        'plain',
        '--protocol',
        'prefix',
        '--pairs',
        '3',
      ]);
      expect(failed.code).not.toBe(0);
      expect(failed.err).toContain(`Model plain (${plain.url}) returned no prompt log-probabilities`);
      expect(plain.requests.length).toBeLessThanOrEqual(2);
    } finally {
      await plain.close();
    }
  });
});
