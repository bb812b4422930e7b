import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectPairs } from '../../src/probe/selection.js';
import { parseMcReply, scoreSet } from '../../src/scoring/index.js';
import { type FakeServer, start } from '../support/fake-anthropic.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { makeWorkspace, type Workspace } from './harness.js';

let ws: Workspace;
let fake: FakeServer;
let outDir: string;
let code: number;
/** B for images whose sha256 starts with a digit, A otherwise: a fixed answer per image. */
const replyFor = (sha: string) => (/^\d/.test(sha) ? 'B' : 'A');

beforeAll(async () => {
  ws = await makeWorkspace();
  fake = await start({ handler: (call) => ({ kind: 'text', text: replyFor(call.images[0]?.sha256 ?? '') }) });
  // The first request is overloaded (529): the runner's single retry layer must absorb it.
  fake.replyOnce({ kind: 'error', status: 529 });
  await ws.writeModels(
    [
      'models:',
      '  - id: claude',
      '    provider: anthropic',
      '    model: claude-test',
      `    baseURL: ${JSON.stringify(fake.url)}`,
      '    apiKeyEnv: FAKE_KEY',
      '',
    ].join('\n'),
  );
  outDir = path.join(ws.dir, 'out-claude');
  const run = await ws.cli([
    'probe',
    'run',
    '--model',
    'claude',
    '--pairs',
    '12',
    '--retry-base-ms',
    '5',
    '--concurrency',
    '1',
    '--out',
    outDir,
  ]);
  code = run.code;
  if (code !== 0) throw new Error(`${run.out}\n${run.err}`);
});

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('a multiple-choice run against the Anthropic API', () => {
  it('answers every image, retrying the overloaded first request', async () => {
    expect(code).toBe(0);
    expect(fake.requests).toHaveLength(25);
    const slot = (i: number) =>
      `${fake.requests[i]?.call?.images[0]?.sha256}|${fake.requests[i]?.call?.prompt}`;
    const first = slot(0);
    expect(fake.requests.filter((_, i) => slot(i) === first)).toHaveLength(2);
    const { run } = await ws.readRunFile(outDir);
    expect(run.counts).toMatchObject({ images: 24, answered: 24, error: 0, requests: 25 });
  });

  it('sends the official claude template and system prompt with one image and 32 tokens', async () => {
    const prompts = JSON.parse(
      await readFile(path.join(SHARED_DATASET_DIR, 'answering-prompts.json'), 'utf8'),
    ) as {
      prompts: { mc: { claude: string } };
      init_prompts: { default: string };
    };
    const pair = ws.set.pairs[0];
    if (!pair) throw new Error('empty set');
    let i = 0;
    const values = [pair.question, pair.options.A, pair.options.B];
    const expected = prompts.prompts.mc.claude.replace(/\{\}/g, () => values[i++] ?? '');
    const first = fake.requests[0]?.call;
    expect(first?.prompt).toBe(expected);
    expect(first?.system).toBe(prompts.init_prompts.default);
    for (const request of fake.requests) {
      expect(request.call?.images).toHaveLength(1);
      expect(request.call?.maxTokens).toBe(32);
      const body = request.body as { messages: unknown[] };
      expect(body.messages).toHaveLength(1);
    }
  });

  it('scores the replies exactly as the scoring module does', async () => {
    const subset = selectPairs(ws.set, { pairs: 12 });
    const answers = new Map(
      subset.pairs.map((pair) => {
        const [a, b] = pair.images.map((image) =>
          parseMcReply(replyFor(ws.imageSha.get(image.localId) ?? '')),
        );
        return [pair.id, [a ?? { A: 0, B: 0 }, b ?? { A: 0, B: 0 }] as [typeof a & {}, typeof b & {}]];
      }),
    );
    const written = JSON.parse(await readFile(path.join(outDir, 'claude_mc_score.json'), 'utf8'));
    expect(written).toEqual(scoreSet(subset, answers).counts);
  });

  it('records no temperature for a model whose API takes none, so the run says what was really sent', async () => {
    for (const request of fake.requests) {
      expect((request.body as Record<string, unknown>).temperature).toBeUndefined();
    }
    const { run } = await ws.readRunFile(outDir);
    expect(run.params.temperature).toBeNull();
  });
});
