import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { ImageResult } from '../../src/probe/records.js';
import type { FakeReply, FakeServer } from '../support/fake-openai.js';
import { start } from '../support/fake-openai.js';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './harness.js';

/**
 * Seven pairs (fourteen images), each image meeting a different fault. The script says what the server does on
 * each attempt for that image; after the script it answers "A".
 */
type Script = FakeReply[];
const FAULTS: Array<{ name: string; script: Script; expect: ImageResult['outcome']; reason?: RegExp }> = [
  { name: 'answers at once', script: [], expect: 'ANSWERED' },
  {
    name: '429 with retry-after, then answers',
    script: [{ kind: 'error', status: 429, headers: { 'retry-after': '1' } }],
    expect: 'ANSWERED',
  },
  { name: '500 once, then answers', script: [{ kind: 'error', status: 500 }], expect: 'ANSWERED' },
  { name: 'dropped connection, then answers', script: [{ kind: 'drop' }], expect: 'ANSWERED' },
  {
    name: '500 on every attempt',
    script: [
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
    ],
    expect: 'ERROR',
    reason: /500.*gave up after 3 attempts/,
  },
  {
    name: 'hangs until the timeout, every attempt',
    script: [{ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }],
    expect: 'ERROR',
    reason: /no response within 400 ms/,
  },
  { name: 'empty reply', script: [{ kind: 'empty' }], expect: 'ERROR', reason: /empty reply/ },
  {
    name: 'cut at the token limit with no text',
    script: [{ kind: 'cut' }],
    expect: 'ERROR',
    reason: /cut off at the token limit \(max_tokens 32/,
  },
  {
    name: 'malformed JSON on every attempt',
    script: [{ kind: 'malformed' }, { kind: 'malformed' }, { kind: 'malformed' }],
    expect: 'ERROR',
  },
  {
    name: 'an answer without choices, every attempt',
    script: [{ kind: 'no-answer' }, { kind: 'no-answer' }, { kind: 'no-answer' }],
    expect: 'ERROR',
  },
  {
    name: 'bad request (not retried)',
    script: [{ kind: 'error', status: 400 }],
    expect: 'ERROR',
    reason: /400/,
  },
  { name: 'names both letters', script: [{ kind: 'text', text: 'A and B' }], expect: 'INVALID' },
  { name: 'drops twice, then answers', script: [{ kind: 'drop' }, { kind: 'drop' }], expect: 'ANSWERED' },
  {
    name: 'cut mid-sentence (not half an answer)',
    script: [{ kind: 'cut', text: 'Looking at the image, the answer is' }],
    expect: 'ERROR',
    reason: /cut off/,
  },
];

let ws: Workspace;
let fake: FakeServer;
/** Per slot (image sha256 | question): the fault case and the times its requests arrived. */
const cases = new Map<string, { index: number; arrivals: number[] }>();
let answersAlways = false;
let firstRun: { code: number; results: ImageResult[] };

const MODEL_ARGS = [
  '--model',
  'faulty',
  '--pairs',
  '7',
  '--max-attempts',
  '3',
  '--retry-base-ms',
  '5',
  '--timeout',
  '400',
];

beforeAll(async () => {
  ws = await makeWorkspace();
  // Some images serve two pairs: a slot is an image with its pair's question.
  const slots = ws.set.pairs
    .slice(0, 7)
    .flatMap((pair) => pair.images.map((image) => `${ws.imageSha.get(image.localId)}|${pair.question}`));
  expect(new Set(slots).size).toBe(14);
  slots.forEach((slot, index) => {
    cases.set(slot, { index, arrivals: [] });
  });
  fake = await start({
    handler: (call) => {
      const sha = call.images[0]?.sha256 ?? '';
      const entry = [...cases.entries()].find(
        ([slot]) => slot.startsWith(`${sha}|`) && call.prompt.includes(slot.slice(sha.length + 1)),
      )?.[1];
      if (!entry) return { kind: 'error', status: 404, message: 'unexpected image' };
      entry.arrivals.push(entry.arrivals.length);
      if (answersAlways) return { kind: 'text', text: 'A' };
      const script = FAULTS[entry.index]?.script ?? [];
      return script[entry.arrivals.length - 1] ?? { kind: 'text', text: 'A' };
    },
  });
  await ws.writeModels(modelsYaml(openaiModel('faulty', fake.url, { concurrency: 4 })));
  const out = path.join(ws.dir, 'out-faults');
  const run = await ws.cli(['probe', 'run', ...MODEL_ARGS, '--out', out]);
  firstRun = { code: run.code, results: (await ws.readRunFile(out)).results };
}, 60_000);

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

function resultFor(index: number, results: ImageResult[]): ImageResult {
  const pair = ws.set.pairs[Math.floor(index / 2)];
  const result = results.find((r) => r.pairId === pair?.id && r.slot === index % 2);
  if (!result) throw new Error(`no result for fault case ${index}`);
  return result;
}

describe('a run meeting transport faults and bad replies', () => {
  it('finishes, with every image ANSWERED, INVALID or ERROR', () => {
    expect(firstRun.code).toBe(EXIT.someErrors);
    expect(firstRun.results).toHaveLength(14);
  });

  it.each(FAULTS.map((fault, index) => ({ ...fault, index })))(
    '$name → $expect',
    ({ index, expect: outcome, reason }) => {
      const result = resultFor(index, firstRun.results);
      expect(result.outcome).toBe(outcome);
      if (outcome !== 'ANSWERED') expect(result.reason).toBeTruthy();
      if (reason) expect(result.reason).toMatch(reason);
      if (outcome === 'ERROR') {
        expect(result.chosen).toBeNull();
        expect(result.reply).toBeNull();
      }
    },
  );

  // How long the gate waits for a retry-after is checked on virtual time in request-gate.test.ts; a
  // wall-clock gap here would depend on the machine's speed.
  it('asks again once after a 429 with retry-after', () => {
    const arrivals = [...cases.values()].find((c) => c.index === 1)?.arrivals ?? [];
    expect(arrivals).toHaveLength(2);
  });

  it('does not retry a 400', () => {
    const index = FAULTS.findIndex((f) => f.name === 'bad request (not retried)');
    expect([...cases.values()].find((c) => c.index === index)?.arrivals).toHaveLength(1);
  });

  it('reuses cached ERRORs on a plain re-run, asking nothing', async () => {
    const before = fake.requests.length;
    const run = await ws.cli(['probe', 'run', ...MODEL_ARGS, '--out', path.join(ws.dir, 'out-plain')]);
    expect(run.code).toBe(EXIT.someErrors);
    expect(run.out).toMatch(
      /image\(s\) ended in ERROR .* To ask only those again:\n {2}mediconfusion probe run --model faulty --pairs 7 --retry-errors/,
    );
    expect(fake.requests.length).toBe(before);
    const { results } = await ws.readRunFile(path.join(ws.dir, 'out-plain'));
    expect(results.map((r) => r.outcome)).toEqual(firstRun.results.map((r) => r.outcome));
  });

  it('asks only the ERROR images again with --retry-errors, and fills the gaps', async () => {
    answersAlways = true;
    for (const entry of cases.values()) entry.arrivals = [];
    const out = path.join(ws.dir, 'out-retry');
    const run = await ws.cli(['probe', 'run', ...MODEL_ARGS, '--retry-errors', '--out', out]);
    expect(run.code).toBe(0);
    const asked = [...cases.values()].filter((c) => c.arrivals.length > 0).map((c) => c.index);
    const errored = FAULTS.flatMap((f, i) => (f.expect === 'ERROR' ? [i] : []));
    expect(asked.sort((a, b) => a - b)).toEqual(errored);
    const { results } = await ws.readRunFile(out);
    for (const [index, fault] of FAULTS.entries()) {
      const result = resultFor(index, results);
      // Cached INVALID replies are real answers: they stay INVALID.
      expect(result.outcome).toBe(fault.expect === 'ERROR' ? 'ANSWERED' : fault.expect);
    }
  });
});
