import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BaselineExport, buildExport, writeExportFiles } from '../../src/baseline/export.js';
import { SCORE_METRICS } from '../../src/scoring/count-table.js';
import { type BaselineHarness, openBaseline, playQuiz, SECRET } from './harness.js';

const BASELINE_PEOPLE = ['810000000000000001', '810000000000000002', '810000000000000003'];
const QUIZ_ONLY = '810000000000000004';
const RAW_IDS = [...BASELINE_PEOPLE, QUIZ_ONLY];

let h: BaselineHarness;
let result: BaselineExport;
let storedAnswers: number;

const file = (r: BaselineExport, name: string) => {
  const found = r.files.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no ${name} in ${r.files.map((f) => f.name).join(', ')}`);
  if (typeof found.content !== 'string') throw new Error(`${name} is not a text file`);
  return found.content;
};
const csv = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;

beforeAll(async () => {
  h = await openBaseline();
  for (const [i, user] of BASELINE_PEOPLE.entries()) {
    await h.baseline.acceptConsent(user);
    if (i === 0) await h.baseline.setProfile(user, { trainingLevel: 'fellow', specialty: 'Neuroradiology' });
    for (let n = 0; n < 5; n++) {
      const next = await h.baseline.nextPair(user);
      if (!next.ok || next.question === null) throw new Error('expected a pair');
      for (const slot of [0, 1] as const) {
        h.clock.advance(1_500);
        await h.baseline.answer(user, {
          pairId: next.question.pairId,
          slot,
          option: n % 2 === 0 ? 'A' : 'B',
        });
      }
    }
  }
  // One pair left half answered.
  const next = await h.baseline.nextPair(BASELINE_PEOPLE[1] as string);
  if (!next.ok || next.question === null) throw new Error('expected a pair');
  await h.baseline.answer(BASELINE_PEOPLE[1] as string, {
    pairId: next.question.pairId,
    slot: 0,
    option: 'A',
  });
  await playQuiz(h, 'room-e', 2, { [BASELINE_PEOPLE[0] as string]: true, [QUIZ_ONLY]: false });

  storedAnswers = 0;
  for (const ns of ['baseline.answers', 'quiz.answers']) {
    for await (const _ of h.store.collection(ns).entries()) storedAnswers++;
  }
  result = await buildExport({ store: h.store, set: h.set, secret: SECRET, format: 'all' });
});
afterAll(async () => {
  await h.close();
});

describe('export', () => {
  it('writes every stored answer, baseline and quiz, to a CSV that csv-parse reads back', () => {
    const rows = csv(file(result, 'answers.csv'));
    expect(storedAnswers).toBe(3 * 10 + 1 + 2 * 2 * 2);
    expect(rows).toHaveLength(storedAnswers);
    expect(rows.filter((r) => r.context === 'baseline')).toHaveLength(31);
    const quiz = rows.filter((r) => r.context === 'quiz');
    expect(quiz).toHaveLength(8);
    for (const row of quiz) {
      expect(row.session_id).not.toBe('');
      expect(row.round_state).toBe('revealed');
    }
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'participant',
      'training_level',
      'context',
      'session_id',
      'round',
      'round_state',
      'pair_id',
      'image',
      'local_id',
      'option',
      'correct',
      'response_ms',
      'seen_before',
      'changes',
      'shown_at',
      'answered_at',
    ]);
    for (const row of rows) {
      expect(['0', '1']).toContain(row.correct);
      expect(['0', '1']).toContain(row.seen_before);
      expect(['1', '2']).toContain(row.image);
    }
    expect(result.summary).toMatchObject({
      answers: storedAnswers,
      baselineAnswers: 31,
      quizAnswers: 8,
      participants: 4,
    });
  });

  it('gives the same answers as JSON, with typed values', () => {
    const json = JSON.parse(file(result, 'answers.json')) as Array<Record<string, unknown>>;
    expect(json).toHaveLength(storedAnswers);
    const rows = csv(file(result, 'answers.csv'));
    expect(json.map((r) => r.participant)).toEqual(rows.map((r) => r.participant));
    expect(typeof json[0]?.correct).toBe('boolean');
    expect(typeof json[0]?.response_ms).toBe('number');
  });

  it('names participants by pseudonym only: never a platform id, anywhere in any file', () => {
    const ids = new Set(csv(file(result, 'answers.csv')).map((r) => r.participant));
    expect(ids).toEqual(new Set(RAW_IDS.map((id) => h.baseline.pseudonymOf(id))));
    for (const f of result.files) {
      for (const raw of RAW_IDS) expect(f.content, f.name).not.toContain(raw);
      expect(f.content).not.toContain('Name 8100');
    }
  });

  it('gives the same pseudonyms on every export', async () => {
    const again = await buildExport({ store: h.store, set: h.set, secret: SECRET, format: 'csv' });
    const ids = (r: BaselineExport) => csv(file(r, 'answers.csv')).map((row) => row.participant);
    expect(ids(again)).toEqual(ids(result));
  });

  it('gives other pseudonyms in a deployment with another secret', async () => {
    const other = await openBaseline({ secret: 'another-secret-of-32-characters!' });
    try {
      const user = BASELINE_PEOPLE[0] as string;
      await other.baseline.acceptConsent(user);
      await playQuiz(other, 'room-o', 1, { [QUIZ_ONLY]: true });
      const exported = await buildExport({
        store: other.store,
        set: other.set,
        secret: 'another-secret-of-32-characters!',
        format: 'csv',
      });
      const ids = csv(file(exported, 'participants.csv')).map((r) => r.participant);
      expect(ids.sort()).toEqual(
        [other.baseline.pseudonymOf(user), other.baseline.pseudonymOf(QUIZ_ONLY)].sort(),
      );
      for (const id of ids) {
        expect([h.baseline.pseudonymOf(user), h.baseline.pseudonymOf(QUIZ_ONLY)]).not.toContain(id);
      }
    } finally {
      await other.close();
    }
  });

  it('refuses to export with a secret other than the one the baseline was recorded with', async () => {
    await expect(
      buildExport({ store: h.store, set: h.set, secret: 'another-secret-of-32-characters!', format: 'csv' }),
    ).rejects.toMatchObject({
      code: 'BASELINE_SECRET_MISMATCH',
      message: expect.stringMatching(/^BASELINE_SECRET is not/),
    });
    // The service refuses new consents under the wrong secret too.
    const wrong = h.service({ secret: 'another-secret-of-32-characters!' });
    await expect(wrong.acceptConsent('810000000000000099')).rejects.toMatchObject({
      code: 'BASELINE_SECRET_MISMATCH',
    });
  });

  it('lists participants with their profile and consent, quiz-only players included', () => {
    const rows = csv(file(result, 'participants.csv'));
    const byId = new Map(rows.map((r) => [r.participant, r]));
    expect(byId.get(h.baseline.pseudonymOf(BASELINE_PEOPLE[0] as string))).toMatchObject({
      training_level: 'fellow',
      specialty: 'Neuroradiology',
      baseline_answers: '10',
      quiz_answers: '4',
    });
    expect(byId.get(h.baseline.pseudonymOf(QUIZ_ONLY))).toMatchObject({
      training_level: '',
      consented_at: '',
      baseline_answers: '0',
      quiz_answers: '4',
    });
    expect(byId.get(h.baseline.pseudonymOf(BASELINE_PEOPLE[1] as string))?.consented_at).toMatch(
      /^\d{4}-\d\d-\d\dT/,
    );
  });

  it('includes the report, as JSON and CSV tables, and the crowd’s official score tables', () => {
    const report = JSON.parse(file(result, 'report.json')) as {
      counts: { instances: number; unfinishedBaseline: number };
    };
    expect(report.counts).toMatchObject({ instances: 15, unfinishedBaseline: 1 });
    const accuracy = csv(file(result, 'report-accuracy.csv'));
    expect(accuracy.find((r) => r.group === 'all' && r.category === 'All')).toMatchObject({
      n: '15',
      pairs: expect.any(String),
    });
    for (const name of [
      'report-crowd.csv',
      'report-models.csv',
      'pair-difficulty.csv',
      'image-difficulty.csv',
      'report-model-accuracy.csv',
      'report-crowd-categories.csv',
      'report-crowd-raters.csv',
      'report-agreement.csv',
      'report-spread.csv',
      'report-participants.csv',
      'report-levels.csv',
    ]) {
      expect(() => csv(file(result, name))).not.toThrow();
    }
    for (const name of [
      'people-majority_mc_score.json',
      'people-majority-fellow_mc_score.json',
      'people-majority-unspecified_mc_score.json',
    ]) {
      const table = JSON.parse(file(result, name)) as Record<string, Record<string, number>>;
      expect(Object.keys(table)).toEqual([...SCORE_METRICS]);
      expect(Object.keys(table.set_score ?? {})).toEqual([...h.set.categories, 'total']);
    }
    const manifest = JSON.parse(file(result, 'manifest.json')) as { files: string[]; answers: number };
    expect(manifest.answers).toBe(storedAnswers);
    expect(manifest.files).toContain('answers.csv');
    expect(manifest.files).toContain('report.html');
  });

  it('writes each interval with its method: empty bounds for "too few", never a collapsed one', () => {
    const accuracy = csv(file(result, 'report-accuracy.csv'));
    const given = accuracy.filter((r) => r.set_acc !== '');
    expect(given.length).toBeGreaterThan(0);
    for (const row of given) {
      if (row.set_acc_interval === 'too-few') {
        expect(row).toMatchObject({ set_acc_low: '', set_acc_high: '' });
        continue;
      }
      expect(row.set_acc_interval).toBe('bootstrap');
      // Zero width only where every resample agrees: everyone right, or everyone wrong, on every pair.
      if (row.set_acc_low === row.set_acc_high) expect(['0', '100']).toContain(row.set_acc);
    }
    expect(accuracy.some((r) => r.set_acc_interval === 'too-few')).toBe(true);
  });

  it('writes report.html, self-contained: methods, tables and the charts inline', () => {
    const html = file(result, 'report.html');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('id="methods"');
    expect(html).toContain('two-way');
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain('too few');
    // Nothing loaded from elsewhere.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script|<link/);
  });

  it('writes only the chosen format (score tables and the manifest are JSON either way)', async () => {
    const csvOnly = await buildExport({ store: h.store, set: h.set, secret: SECRET, format: 'csv' });
    expect(
      csvOnly.files
        .filter((f) => f.name.endsWith('.json'))
        .every((f) => /_score\.json$|^manifest\.json$/.test(f.name)),
    ).toBe(true);
    const jsonOnly = await buildExport({ store: h.store, set: h.set, secret: SECRET, format: 'json' });
    expect(jsonOnly.files.some((f) => f.name.endsWith('.csv'))).toBe(false);
    expect(jsonOnly.files.map((f) => f.name)).toContain('report.json');
  });

  it('writes the files into a folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baseline-export-'));
    try {
      const written = await writeExportFiles(path.join(dir, 'out'), result.files);
      expect((await readdir(path.join(dir, 'out'))).sort()).toEqual(result.files.map((f) => f.name).sort());
      expect(await readFile(written[0] as string, 'utf8')).toBe(result.files[0]?.content);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
