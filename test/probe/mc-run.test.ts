import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMcReply, scoreSet } from '../../src/scoring/index.js';
import { type FakeServer, start, tableHandler } from '../support/fake-openai.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { makeWorkspace, modelsYaml, openaiModel, runIdFrom, type Workspace } from './harness.js';

/** Replies of every kind the official parser meets: plain letters, the template's own form, both, neither. */
// An empty reply is no answer at all: an ERROR (faults.test.ts), not a reply for the parser.
const REPLY_KINDS = ['A', 'B', '"B")', 'A.', 'The answer is B', 'A or B', 'I cannot tell.', 'B:'];

function replyFor(localId: string): string {
  const digest = createHash('sha256').update(`reply-${localId}`).digest();
  return REPLY_KINDS[(digest[0] ?? 0) % REPLY_KINDS.length] ?? 'A';
}

interface OfficialPrompts {
  prompts: { mc: Record<string, string> };
  init_prompts: { default: string };
}

let ws: Workspace;
let fake: FakeServer;
let firstOut: string;
let firstCode: number;
let outDir: string;

beforeAll(async () => {
  ws = await makeWorkspace();
  const byImageSha256: Record<string, string> = {};
  for (const [localId, sha] of ws.imageSha) byImageSha256[sha] = replyFor(localId);
  fake = await start({ handler: tableHandler({ byImageSha256 }) });
  await ws.writeModels(modelsYaml(openaiModel('fake-gpt', fake.url, { concurrency: 8 })));
  outDir = path.join(ws.dir, 'out-mc');
  const run = await ws.cli(['probe', 'run', '--model', 'fake-gpt', '--out', outDir]);
  firstOut = run.out;
  firstCode = run.code;
  if (run.code !== 0) throw new Error(`probe run failed (${run.code}):\n${run.out}\n${run.err}`);
});

/** Requests that differ in image content, question or options: what a run must send once each. */
function distinctRequests(): number {
  const keys = ws.set.pairs.flatMap((pair) =>
    pair.images.map((image) => JSON.stringify([ws.imageSha.get(image.localId), pair.question, pair.options])),
  );
  return new Set(keys).size;
}

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('a full multiple-choice run over the official dataset', () => {
  it('finishes, sending each distinct request once (identical questions on one image share a reply)', () => {
    expect(firstCode).toBe(0);
    expect(distinctRequests()).toBeLessThan(352);
    expect(fake.requests).toHaveLength(distinctRequests());
  });

  it('writes exactly the count table the scoring module computes for the same replies', async () => {
    const answers = new Map(
      ws.set.pairs.map((pair) => [
        pair.id,
        [parseMcReply(replyFor(pair.images[0].localId)), parseMcReply(replyFor(pair.images[1].localId))] as [
          { A: number; B: number },
          { A: number; B: number },
        ],
      ]),
    );
    const expected = scoreSet(ws.set, answers);
    const scoreFile = JSON.parse(await readFile(path.join(outDir, 'fake-gpt_mc_score.json'), 'utf8'));
    expect(scoreFile).toEqual(expected.counts);
    const { run } = await ws.readRunFile(outDir);
    expect(run.scoreTable).toEqual(expected.counts);
    expect(run.summary).toEqual(JSON.parse(JSON.stringify(expected.summary)));
    const allRow = expected.summary.rounded.All;
    expect(firstOut).toContain(`All`);
    expect(firstOut).toContain(allRow?.set_acc.toFixed(2));
  });

  it('records every image as ANSWERED or INVALID with the raw reply and the template hash', async () => {
    const { results, run } = await ws.readRunFile(outDir);
    expect(results).toHaveLength(352);
    const template = (
      JSON.parse(
        await readFile(path.join(SHARED_DATASET_DIR, 'answering-prompts.json'), 'utf8'),
      ) as OfficialPrompts
    ).prompts.mc.gpt;
    const templateSha = createHash('sha256')
      .update(template ?? '')
      .digest('hex');
    for (const result of results) {
      const pair = ws.set.pairs.find((p) => p.id === result.pairId);
      const reply = replyFor(pair?.images[result.slot].localId ?? '');
      expect(result.reply).toBe(reply);
      expect(result.templateSha256).toBe(templateSha);
      const scores = parseMcReply(reply);
      expect(result.outcome).toBe(scores.A !== scores.B ? 'ANSWERED' : 'INVALID');
      if (result.outcome === 'INVALID') expect(result.reason).toBeTruthy();
    }
    expect(run.templates.answer).toBe(templateSha);
    const distinct = distinctRequests();
    expect(run.counts).toMatchObject({
      images: 352,
      error: 0,
      pending: 0,
      requests: distinct,
      cacheHits: 352 - distinct,
    });
    expect(run.status).toBe('completed');
  });

  it('sends one image per request in a fresh conversation, with the official template, system prompt, temperature 0 and 32 tokens', async () => {
    const prompts = JSON.parse(
      await readFile(path.join(SHARED_DATASET_DIR, 'answering-prompts.json'), 'utf8'),
    ) as OfficialPrompts;
    const template = prompts.prompts.mc.gpt ?? '';
    const fill = (values: string[]) => {
      let i = 0;
      return template.replace(/\{\}/g, () => values[i++] ?? '');
    };
    const expected = new Set<string>();
    for (const pair of ws.set.pairs) {
      for (const image of pair.images) {
        expected.add(
          `${ws.imageSha.get(image.localId)}|${fill([pair.question, pair.options.A, pair.options.B])}`,
        );
      }
    }
    const seen = new Set<string>();
    for (const request of fake.requests) {
      const call = request.call;
      expect(call).not.toBeNull();
      if (!call) continue;
      expect(call.images).toHaveLength(1);
      expect(call.system).toBe(prompts.init_prompts.default);
      expect(call.temperature).toBe(0);
      expect(call.maxTokens).toBe(32);
      const messages = (request.body as { messages: Array<{ role: string }> }).messages;
      expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
      seen.add(`${call.images[0]?.sha256}|${call.prompt}`);
    }
    // Images shared by two pairs are asked once per pair: same image, different question.
    expect(seen).toEqual(expected);
  });

  it('writes the official answers file, a CSV row per image and the run JSON', async () => {
    const answers = JSON.parse(await readFile(path.join(outDir, 'fake-gpt_mc.json'), 'utf8')) as Record<
      string,
      {
        answer: { im1: { A: number; B: number; full_answer: string | null } };
        score: Record<string, unknown>;
      }
    >;
    expect(Object.keys(answers)).toHaveLength(176);
    const first = ws.set.pairs[0];
    if (!first) throw new Error('empty set');
    const reply = replyFor(first.images[0].localId);
    expect(answers[first.id]?.answer.im1).toEqual({ ...parseMcReply(reply), full_answer: reply });
    expect(Object.keys(answers[first.id]?.score ?? {})).toEqual([
      'set_score',
      'individual_score',
      'confused',
      'invalid',
      'valids',
      'valid_pairs',
    ]);
    const csv = await readFile(path.join(outDir, 'images.csv'), 'utf8');
    const { parse } = await import('csv-parse/sync');
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(352);
    expect(rows[0]).toMatchObject({ pair_id: first.id, image: '1', reply });
  });

  it('answers a second identical run entirely from the cache, with zero requests and the same table', async () => {
    const before = fake.requests.length;
    const again = await ws.cli([
      'probe',
      'run',
      '--model',
      'fake-gpt',
      '--out',
      path.join(ws.dir, 'out-mc-2'),
    ]);
    expect(again.code).toBe(0);
    expect(fake.requests.length).toBe(before);
    const { run } = await ws.readRunFile(path.join(ws.dir, 'out-mc-2'));
    const { run: firstRun } = await ws.readRunFile(outDir);
    expect(run.scoreTable).toEqual(firstRun.scoreTable);
    expect(run.counts).toMatchObject({ requests: 0, cacheHits: 352 });
  });

  it('lists the runs and reprints a run table from the store', async () => {
    const runId = runIdFrom(firstOut);
    const list = await ws.cli(['probe', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toContain('fake-gpt: openai fake-fake-gpt');
    expect(list.out).toContain(runId);
    const report = await ws.cli(['probe', 'report', runId]);
    expect(report.code).toBe(0);
    expect(report.out).toBe(firstOut.slice(0, report.out.length));
    const json = await ws.cli(['probe', 'report', runId, '--json']);
    const parsed = JSON.parse(json.out) as { run: { id: string }; results: unknown[] };
    expect(parsed.run.id).toBe(runId);
    expect(parsed.results).toHaveLength(352);
  });

  it('names an unknown run and lists the recorded ones', async () => {
    const report = await ws.cli(['probe', 'report', 'no-such-run']);
    expect(report.code).toBe(1);
    expect(report.err).toContain('No recorded run "no-such-run"');
    expect(report.err).toContain(runIdFrom(firstOut));
  });
});
