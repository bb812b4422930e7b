import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBaselineSecret } from '../src/baseline/pseudonym.js';
import { BaselineService } from '../src/baseline/service.js';
import { loadOfficialSetStrict } from '../src/dataset/official.js';
import { createLogger } from '../src/logger.js';
import { seededRandom } from '../src/random.js';
import { openStore } from '../src/store/open-store.js';
import { type CliRun, runCliCaptured } from './support/cli.js';
import { SHARED_DATASET_DIR } from './support/paths.js';

const SECRET = 'cli-export-test-secret-0123456789';
const USERS = ['510000000000000001', '510000000000000002'];

let dir: string;
let env: Record<string, string>;

function cli(argv: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return runCliCaptured(argv, { ...env, ...extraEnv }, dir);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-export-'));
  env = {
    LOG_LEVEL: 'silent',
    STORE_URL: `sqlite://${path.join(dir, 'store.sqlite')}`,
    MEDICONFUSION_DATA_DIR: SHARED_DATASET_DIR,
  };
  const set = await loadOfficialSetStrict(SHARED_DATASET_DIR);
  const store = await openStore(env.STORE_URL as string);
  try {
    const baseline = new BaselineService({
      store,
      set,
      secret: SECRET,
      log: createLogger({ level: 'silent' }),
      random: seededRandom(5),
    });
    for (const user of USERS) {
      await baseline.acceptConsent(user);
      await baseline.setProfile(user, { trainingLevel: 'resident-pgy1' });
      for (let i = 0; i < 3; i++) {
        const next = await baseline.nextPair(user);
        if (!next.ok || next.question === null) throw new Error('expected a pair');
        for (const slot of [0, 1] as const) {
          await baseline.answer(user, { pairId: next.question.pairId, slot, option: slot === 0 ? 'A' : 'B' });
        }
      }
    }
  } finally {
    await store.close();
  }
  // A model's answers, brought in as a recorded run: "A" for every image.
  const answers = Object.fromEntries(
    set.pairs.map((p) => {
      const image = { A: 10, B: 0, full_answer: 'A' };
      return [p.id, { answer: { im1: image, im2: image } }];
    }),
  );
  await writeFile(path.join(dir, 'always-a_mc.json'), JSON.stringify(answers));
  const imported = await cli(['probe', 'import', 'always-a_mc.json', '--model', 'always-a']);
  if (imported.code !== 0) throw new Error(`probe import failed: ${imported.err}`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mediconfusion export', () => {
  it('writes answers, participants, report and score tables into --out', async () => {
    const run = await cli(['export', '--out', 'exported'], { BASELINE_SECRET: SECRET });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /Exported 12 answers \(12 baseline, 0 quiz\) of 2 participants for the official set, compared with always-a\./,
    );
    const files = (await readdir(path.join(dir, 'exported'))).sort();
    expect(files).toEqual(
      [
        'answers.csv',
        'answers.json',
        'image-difficulty.csv',
        'manifest.json',
        'pair-difficulty.csv',
        'participants.csv',
        'participants.json',
        'people-majority-resident-pgy1_mc_score.json',
        'people-majority_mc_score.json',
        'report-accuracy.csv',
        'report-agreement.csv',
        'report-chart.png',
        'report-crowd-categories.csv',
        'report-crowd-raters.csv',
        'report-crowd.csv',
        'report-levels.csv',
        'report-model-accuracy.csv',
        'report-models.csv',
        'report-participants.csv',
        'report-spread.csv',
        'report.html',
        'report.json',
      ].sort(),
    );
    const answers = parse(await readFile(path.join(dir, 'exported', 'answers.csv'), 'utf8'), {
      columns: true,
    }) as Array<Record<string, string>>;
    expect(answers).toHaveLength(12);
    for (const raw of USERS) expect(answers.some((a) => a.participant === raw)).toBe(false);
    const models = parse(await readFile(path.join(dir, 'exported', 'report-models.csv'), 'utf8'), {
      columns: true,
    }) as Array<Record<string, string>>;
    expect(models.find((m) => m.group === 'all')).toMatchObject({
      model: 'always-a',
      status: 'insufficient-data',
      pairs: '6',
    });
  });

  it('writes one format only with --format', async () => {
    const run = await cli(['export', '--out', 'csv-only', '--format', 'csv'], { BASELINE_SECRET: SECRET });
    expect(run.code).toBe(0);
    const files = await readdir(path.join(dir, 'csv-only'));
    expect(files.filter((f) => f.endsWith('.json')).sort()).toEqual(
      [
        'manifest.json',
        'people-majority-resident-pgy1_mc_score.json',
        'people-majority_mc_score.json',
      ].sort(),
    );
    expect(files).toContain('answers.csv');
  });

  it('fails at once, naming BASELINE_SECRET, when it is not set', async () => {
    const run = await cli(['export', '--out', 'never']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error: BASELINE_SECRET is not set/);
    await expect(readdir(path.join(dir, 'never'))).rejects.toThrow();
  });

  it('uses the development secret generated in the store with --store-secret', async () => {
    const devStore = `sqlite://${path.join(dir, 'dev.sqlite')}`;
    const missing = await cli(['export', '--out', 'dev', '--store-secret'], { STORE_URL: devStore });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/holds no generated secret/);
    const store = await openStore(devStore);
    await resolveBaselineSecret({ configured: null, whenMissing: 'store', store }).finally(() =>
      store.close(),
    );
    const run = await cli(['export', '--out', 'dev', '--store-secret'], { STORE_URL: devStore });
    expect(run.err).toBe('');
    expect(run.out).toMatch(/Exported 0 answers/);
  });

  it('refuses a model without a recorded run, listing those it has', async () => {
    const run = await cli(['export', '--out', 'x', '--models', 'gpt-9'], { BASELINE_SECRET: SECRET });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/No recorded multiple-choice run for gpt-9 .*Recorded models: always-a\./);
  });

  it('refuses a bad --format before doing anything', async () => {
    const run = await cli(['export', '--format', 'xml'], { BASELINE_SECRET: SECRET });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/xml/);
  });
});
