import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { chooseOption } from '../../src/scoring/choice.js';
import { buildCountTable, parseMcReply, scorePair } from '../../src/scoring/index.js';
import { SHARED_SCORING_CASES_DIR } from '../support/paths.js';
import { makeWorkspace, runIdFrom, type Workspace } from './harness.js';

interface GoldenTable {
  raw_score_table: Record<string, Record<string, number>>;
}

let ws: Workspace;
let golden: GoldenTable;
let answersFile: string;

/**
 * An official harness answers file (`Results/gpt/gpt_mc.json`) for the golden set `mc_random_seed0`:
 * per pair the parsed scores and raw reply of each image, and the pair's own count table.
 */
async function writeOfficialAnswersFile(file: string, pairIds?: string[]): Promise<void> {
  const replies = JSON.parse(
    await readFile(path.join(SHARED_SCORING_CASES_DIR, 'mc_random_seed0', 'input.json'), 'utf8'),
  ) as Record<string, { im1: string | null; im2: string | null }>;
  const content: Record<string, unknown> = {};
  for (const pair of ws.set.pairs) {
    if (pairIds && !pairIds.includes(pair.id)) continue;
    const reply = replies[pair.id];
    if (!reply) continue;
    const im1 = parseMcReply(reply.im1);
    const im2 = parseMcReply(reply.im2);
    const score = scorePair(pair, [chooseOption(im1), chooseOption(im2)]);
    content[pair.id] = {
      answer: { im1: { ...im1, full_answer: reply.im1 }, im2: { ...im2, full_answer: reply.im2 } },
      score: buildCountTable(ws.set, [{ pair, score }]),
    };
  }
  await writeFile(file, JSON.stringify(content));
}

beforeAll(async () => {
  ws = await makeWorkspace();
  golden = JSON.parse(
    await readFile(path.join(SHARED_SCORING_CASES_DIR, 'mc_random_seed0', 'expected_table.json'), 'utf8'),
  ) as GoldenTable;
  answersFile = path.join(ws.dir, 'gpt_mc.json');
  await writeOfficialAnswersFile(answersFile);
  // No model server at all: replay must not need one.
  await ws.writeModels('models:\n  - id: placeholder\n    provider: random\n');
});

afterAll(async () => {
  await ws?.cleanup();
});

describe('importing an official answers file and replaying it', () => {
  let importedRunId: string;

  it("imports the file as a run whose table is the official harness's", async () => {
    const run = await ws.cli(['probe', 'import', answersFile, '--model', 'official-gpt']);
    expect(run.code).toBe(0);
    importedRunId = runIdFrom(run.out);
    expect(run.out).toContain('protocol mc');
    const report = await ws.cli(['probe', 'report', importedRunId, '--json']);
    const parsed = JSON.parse(report.out) as {
      run: { scoreTable: unknown; kind: string };
      results: unknown[];
    };
    expect(parsed.run.kind).toBe('import');
    expect(parsed.run.scoreTable).toEqual(golden.raw_score_table);
    expect(parsed.results).toHaveLength(352);
  });

  it('replays the recorded replies through the parser and scorer and reproduces the table', async () => {
    const out = path.join(ws.dir, 'out-replay');
    const run = await ws.cli(['probe', 'run', '--model', 'replay:official-gpt', '--out', out]);
    expect(run.code).toBe(0);
    const { run: record, results } = await ws.readRunFile(out);
    expect(record.scoreTable).toEqual(golden.raw_score_table);
    expect(record.counts).toMatchObject({ images: 352, error: 0, pending: 0 });
    expect(record.model.provider).toBe('replay');
    expect(results.every((r) => r.reply === 'A' || r.reply === 'B')).toBe(true);
  });

  it('replays through a models-file entry with provider replay, by run id', async () => {
    await ws.writeModels(`models:\n  - id: gpt-recorded\n    provider: replay\n    run: ${importedRunId}\n`);
    const out = path.join(ws.dir, 'out-replay-entry');
    const run = await ws.cli(['probe', 'run', '--model', 'gpt-recorded', '--out', out]);
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(path.join(out, 'gpt-recorded_mc_score.json'), 'utf8'))).toEqual(
      golden.raw_score_table,
    );
  });

  it('turns an answer the recorded run lacks into an ERROR naming the pair, without retrying', async () => {
    const partial = path.join(ws.dir, 'partial_mc.json');
    const kept = ws.set.pairs.slice(0, 3).map((p) => p.id);
    await writeOfficialAnswersFile(partial, kept);
    const imported = await ws.cli(['probe', 'import', partial, '--model', 'partial-gpt']);
    expect(imported.code).toBe(0);
    const out = path.join(ws.dir, 'out-partial');
    const run = await ws.cli(['probe', 'run', '--model', 'replay:partial-gpt', '--pairs', '5', '--out', out]);
    expect(run.code).toBe(EXIT.someErrors);
    const { results, run: record } = await ws.readRunFile(out);
    const missing = results.filter((r) => !kept.includes(r.pairId));
    expect(missing).toHaveLength(4);
    for (const r of missing) {
      expect(r.outcome).toBe('ERROR');
      expect(r.reason).toContain(`has no recorded answer for pair ${r.pairId}, image ${r.slot + 1}`);
    }
    // One attempt each: a missing recording is not a passing fault.
    expect(record.counts.requests).toBe(10);
  });

  it('rejects a file that is not an official answers file, naming the pair and field', async () => {
    const bad = path.join(ws.dir, 'bad_mc.json');
    await writeFile(bad, JSON.stringify({ '10001': { answer: { im1: { A: 'ten', B: 0 } } } }));
    const run = await ws.cli(['probe', 'import', bad, '--model', 'bad']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('pair "10001"');
    expect(run.err).toContain('answer.im1.A');
  });
});
