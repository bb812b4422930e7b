import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLDEN_SETS, loadGoldenCase } from './scoring/helpers.js';
import { type CliRun, runCliCaptured } from './support/cli.js';
import { ROOT, SHARED_DATASET_DIR } from './support/paths.js';

function cli(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCliCaptured(argv, { LOG_LEVEL: 'silent', ...env }, dir);
}

interface ScoreReport {
  format: string;
  threshold: number;
  missingPairs: string[];
  officialScoreTable: unknown;
  table: unknown;
  tableFull: unknown;
  intervals: Record<string, { set_acc: { low: number; high: number; n: number } }>;
  pairs: Record<string, Record<string, unknown>>;
}

async function scoreToJson(
  input: string,
  extra: string[] = [],
): Promise<{ run: CliRun; report: ScoreReport }> {
  const out = path.join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const run = await cli(['score', input, '--dataset', SHARED_DATASET_DIR, '--json', out, ...extra]);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  return { run, report: JSON.parse(await readFile(out, 'utf8')) as ScoreReport };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-score-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(GOLDEN_SETS)('mediconfusion score on golden set %s', (name) => {
  it('detects the format and writes exactly the official tables', async () => {
    const golden = await loadGoldenCase(name);
    const { run, report } = await scoreToJson(golden.inputFile);
    const format = name.startsWith('mc_') ? 'replies' : 'judge-scores';
    expect(report.format).toBe(format);
    expect(run.out).toContain(`${format} format, threshold 3, 176 of 176 pairs answered`);
    expect(report.officialScoreTable).toEqual(golden.expectedTable.raw_score_table);
    expect(report.table).toEqual(golden.expectedTable.table_rounded);
    expect(report.tableFull).toEqual(golden.expectedTable.table_full);
    expect(report.pairs).toEqual(golden.expectedPairs);
  });
});

describe('mediconfusion score', () => {
  it('prints an aligned table with every official row, intervals and the chance line', async () => {
    const golden = await loadGoldenCase('ff_scores_cycle');
    const run = await cli(['score', golden.inputFile, '--dataset', SHARED_DATASET_DIR]);
    expect(run.code).toBe(0);
    const lines = run.out.split('\n');
    const header = lines.find((line) => line.startsWith('Category'));
    expect(header).toMatch(
      /Set acc\.\s+95% CI\s+Individual acc\.\s+95% CI\s+Confused\s+Valid pairs\s+Invalid/,
    );
    const all = lines.find((line) => line.startsWith('All '));
    expect(all).toMatch(
      /^All\s+176\s+9\.09\s+\[5\.7, 14\.3\]\s+30\.97\s+\[26\.4, 36\.0\]\s+32\.26\s+62\s+35\.23\s+38\.10\s+42$/,
    );
    expect(lines.find((line) => line.startsWith('Cerebral'))).toMatch(/^Cerebral\s+79\s+15\.19 /);
    expect(lines.find((line) => line.startsWith('Chance'))).toMatch(/^Chance\s+25\.00\s+50\.00\s+50\.00$/);
    // Aligned: the All row's numeric cells end where the header's columns end.
    expect(all?.length).toBe(header?.length);
  });

  it('scores an official harness answers file like the judge scores it stores', async () => {
    const golden = await loadGoldenCase('ff_scores_cycle');
    const official = Object.fromEntries(
      Object.entries(golden.input).map(([id, { im1, im2 }]) => [
        id,
        {
          answer: {
            im1: { ...(im1 as object), full_answer: `reply to ${id} im1`, gpt_reason: 'close' },
            im2: { ...(im2 as object), full_answer: null, gpt_reason: '' },
          },
          score: { set_score: { total: 0 } },
        },
      ]),
    );
    const file = path.join(dir, 'gpt_gpt4.json');
    await writeFile(file, JSON.stringify(official));
    const { report } = await scoreToJson(file);
    expect(report.format).toBe('official');
    expect(report.table).toEqual(golden.expectedTable.table_rounded);
    expect(report.officialScoreTable).toEqual(golden.expectedTable.raw_score_table);
  });

  it('applies --threshold: differences of 2 become valid choices at threshold 2', async () => {
    const golden = await loadGoldenCase('ff_scores_cycle');
    const { report: strict } = await scoreToJson(golden.inputFile);
    const { report: loose } = await scoreToJson(golden.inputFile, ['--threshold', '2']);
    expect(loose.threshold).toBe(2);
    const diffTwo = Object.entries(golden.input).find(([, { im1 }]) => {
      const { A, B } = im1 as { A: number; B: number };
      return Math.abs(A - B) === 2;
    });
    if (!diffTwo) throw new Error('the golden set has a pair whose first image differs by 2');
    const [id, { im1 }] = diffTwo;
    const { A, B } = im1 as { A: number; B: number };
    expect(strict.pairs[id]?.im1_chosen).toBe('-');
    expect(loose.pairs[id]?.im1_chosen).toBe(A > B ? 'A' : 'B');
    expect(loose.table).not.toEqual(strict.table);
  });

  it('reads the dataset folder from MEDICONFUSION_DATA_DIR when --dataset is not given', async () => {
    const golden = await loadGoldenCase('mc_always_A');
    const run = await cli(['score', golden.inputFile], { MEDICONFUSION_DATA_DIR: SHARED_DATASET_DIR });
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^All\s+176\s+0\.00 /m);
  });

  it('warns about unanswered pairs and scores them as invalid answers', async () => {
    const golden = await loadGoldenCase('mc_always_A');
    const [firstId, ...rest] = Object.keys(golden.input);
    const partial = Object.fromEntries(rest.map((id) => [id, golden.input[id]]));
    const file = path.join(dir, 'partial.json');
    await writeFile(file, JSON.stringify(partial));
    const out = path.join(dir, 'partial-report.json');
    const run = await cli(['score', file, '--dataset', SHARED_DATASET_DIR, '--json', out]);
    expect(run.code).toBe(0);
    expect(run.err).toContain(
      `does not answer 1 of the 176 pairs (${firstId}); they are scored as invalid answers`,
    );
    const report = JSON.parse(await readFile(out, 'utf8')) as ScoreReport;
    expect(report.missingPairs).toEqual([firstId]);
    expect(report.pairs[firstId as string]).toMatchObject({ im1_chosen: '-', im2_chosen: '-' });
    expect((report.officialScoreTable as { invalid: { total: number } }).invalid.total).toBe(2);
  });

  it('names a missing answers file', async () => {
    const run = await cli(['score', 'nowhere.json', '--dataset', SHARED_DATASET_DIR]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `error: Cannot read the answers file ${path.join(dir, 'nowhere.json')}: no such file.\n`,
    );
  });

  it('gives the line and column of a JSON syntax error', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{\n  "10001": {"im1": "A", "im2": "B"},\n}\n');
    const run = await cli(['score', file, '--dataset', SHARED_DATASET_DIR]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `error: ${file} is not valid JSON:\n  line 3, column 1: expected a property name in double quotes\n`,
    );
  });

  it('refuses a pair id given twice, which JSON readers would silently resolve', async () => {
    const file = path.join(dir, 'twice.json');
    await writeFile(
      file,
      '{\n  "10001": {"im1": "A", "im2": "B"},\n  "10001": {"im1": "B", "im2": "B"}\n}\n',
    );
    const run = await cli(['score', file, '--dataset', SHARED_DATASET_DIR]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `${file} repeats keys:\n  line 3, column 3: key "10001" appears more than once`,
    );
  });

  it('names the pair and field of a malformed answer', async () => {
    const file = path.join(dir, 'bad-field.json');
    await writeFile(
      file,
      JSON.stringify({ '10001': { im1: { A: 8, B: 2 }, im2: { A: '5', B: 1 } } }, null, 2),
    );
    const run = await cli(['score', file, '--dataset', SHARED_DATASET_DIR]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${file} is not a valid judge-scores answers file`);
    expect(run.err).toContain(
      'pair "10001", field "im2.A" (line 8, column 12): expected a whole number from 0 to 10, got "5"',
    );
  });

  it('names pair ids that are not in the dataset', async () => {
    const file = path.join(dir, 'unknown.json');
    await writeFile(file, JSON.stringify({ '10001': { im1: 'A', im2: 'B' }, abc: { im1: 'A', im2: 'B' } }));
    const run = await cli(['score', file, '--dataset', SHARED_DATASET_DIR]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('answers 1 pair id that the official set does not have: abc.');
  });

  it('checks the file against the format given with --format', async () => {
    const golden = await loadGoldenCase('mc_always_A');
    const run = await cli([
      'score',
      golden.inputFile,
      '--dataset',
      SHARED_DATASET_DIR,
      '--format',
      'official',
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('is not a valid official answers file');
    expect(run.err).toMatch(
      /pair "10001", field "answer" \(line \d+, column \d+\): expected an object \{"im1": \{…\}, "im2": \{…\}\}, got nothing \(the field is missing\)/,
    );
  });

  it('refuses a threshold that is not a positive number, as a usage error', async () => {
    const golden = await loadGoldenCase('mc_always_A');
    const run = await cli([
      'score',
      golden.inputFile,
      '--dataset',
      SHARED_DATASET_DIR,
      '--threshold',
      'zero',
    ]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('expected a positive number such as 3');
  });

  it('says where it looked when the dataset folder has no dataset', async () => {
    const golden = await loadGoldenCase('mc_always_A');
    const run = await cli(['score', golden.inputFile, '--dataset', dir]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`The dataset in ${dir}`);
    expect(run.err).toContain(`${path.join(dir, 'dataset.json')}: file not found`);
  });

  it('scores against a custom pair set, with its own categories and slot-counted denominators', async () => {
    const file = path.join(dir, 'custom-answers.json');
    await writeFile(
      file,
      JSON.stringify({ 'chest-01': { im1: 'A', im2: 'B' }, 'head-01': { im1: 'A', im2: 'A' } }),
    );
    const out = path.join(dir, 'custom-report.json');
    const run = await cli([
      'score',
      file,
      '--set',
      path.join(ROOT, 'data/examples/custom-set.example.yaml'),
      '--json',
      out,
    ]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('2 of 2 pairs answered (example-synthetic set)');
    const report = JSON.parse(await readFile(out, 'utf8')) as ScoreReport;
    expect(report.table).toEqual({
      Pulmonary: {
        total: 2,
        set_acc: 100,
        individual_acc: 100,
        confused: 0,
        valid_pairs: 2,
        invalid: 0,
        precision: 100,
        precision_total: 2,
      },
      Cerebral: {
        total: 2,
        set_acc: 0,
        individual_acc: 50,
        confused: 100,
        valid_pairs: 2,
        invalid: 0,
        precision: 0,
        precision_total: 0,
      },
      All: {
        total: 2,
        set_acc: 50,
        individual_acc: 75,
        confused: 50,
        valid_pairs: 2,
        invalid: 0,
        precision: 100,
        precision_total: 1,
      },
    });
  });
});
