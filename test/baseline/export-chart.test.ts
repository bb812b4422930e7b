import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BaselineExport, buildExport, writeExportFiles } from '../../src/baseline/export.js';
import { readAnswerHistory } from '../../src/baseline/history.js';
import { Pseudonymizer } from '../../src/baseline/pseudonym.js';
import { REPORT_CHART_FILE, reportChartInputs, reportCharts } from '../../src/baseline/report-chart.js';
import { CHART_HEIGHT, CHART_WIDTH, DISCORD_THEME, renderCategoryChart } from '../../src/charts/index.js';
import { indexPairs } from '../../src/quiz/pairs.js';
import { captureLogs } from '../bot/harness.js';
import { countColour, decode, distinctColours } from '../charts/pixels.js';
import { type BaselineHarness, openBaseline, SECRET } from './harness.js';

/**
 * The export's charts: a fellow who gets every pair right, a PGY-1 resident who answers A to everything,
 * someone who gave no training level, and one model that answers A to everything.
 */

const FELLOW = '820000000000000001';
const RESIDENT = '820000000000000002';
const UNSAID = '820000000000000003';
const PAIRS = 6;
const MODELS = ['always-a'];

let h: BaselineHarness;
let result: BaselineExport;

async function answerPairs(
  user: string,
  trainingLevel: 'fellow' | 'resident-pgy1' | null,
  pick: (correct: 'A' | 'B') => 'A' | 'B',
) {
  await h.baseline.acceptConsent(user);
  if (trainingLevel !== null) {
    const profile = await h.baseline.setProfile(user, { trainingLevel, specialty: '' });
    if (!profile.ok) throw new Error(`profile refused: ${JSON.stringify(profile)}`);
  }
  for (let n = 0; n < PAIRS; n++) {
    const next = await h.baseline.nextPair(user);
    if (!next.ok || next.question === null) throw new Error('expected a pair');
    const pair = h.set.pairs.find((p) => p.id === next.question?.pairId);
    if (pair === undefined) throw new Error('unknown pair');
    for (const slot of [0, 1] as const) {
      h.clock.advance(1_500);
      await h.baseline.answer(user, { pairId: pair.id, slot, option: pick(pair.images[slot].correct) });
    }
  }
}

const exportOf = (format: 'csv' | 'json' | 'all', log = captureLogs().log) =>
  buildExport({
    store: h.store,
    set: h.set,
    secret: SECRET,
    format,
    report: { models: { source: h.models, ids: MODELS }, log },
  });

const png = (r: BaselineExport, name: string): Buffer => {
  const found = r.files.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no ${name} in ${r.files.map((f) => f.name).join(', ')}`);
  if (found.mediaType !== 'image/png') throw new Error(`${name} is ${found.mediaType}`);
  return found.content;
};

beforeAll(async () => {
  h = await openBaseline();
  h.models.setModel('always-a', { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] });
  await answerPairs(FELLOW, 'fellow', (correct) => correct);
  await answerPairs(RESIDENT, 'resident-pgy1', () => 'A');
  await answerPairs(UNSAID, null, (correct) => (correct === 'A' ? 'B' : 'A'));
  result = await exportOf('all');
});
afterAll(async () => {
  await h?.close();
});

describe('export charts', () => {
  it('adds report-chart.png, a PNG of the chart size that is not blank, in every format', async () => {
    for (const format of ['csv', 'json', 'all'] as const) {
      const exported = format === 'all' ? result : await exportOf(format);
      const px = await decode(png(exported, REPORT_CHART_FILE));
      expect([px.width, px.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
      const whole = { left: 0, top: 0, right: px.width, bottom: px.height };
      expect(distinctColours(px, whole)).toBeGreaterThan(50);
      // Everyone's bars, the majority vote's, and at least a sliver for the model (it never gets a pair right).
      expect(countColour(px, whole, DISCORD_THEME.people[0], 2)).toBeGreaterThan(1000);
      expect(countColour(px, whole, DISCORD_THEME.people[1], 2)).toBeGreaterThan(1000);
      expect(countColour(px, whole, DISCORD_THEME.models[0], 2)).toBeGreaterThan(20);
    }
    // Two more whole exports, each drawing four charts: on a loaded CI machine that alone nears the default.
  }, 120_000);

  it('lists the charts in the manifest', () => {
    const manifest = result.files.find((f) => f.name === 'manifest.json');
    const files = (JSON.parse(String(manifest?.content)) as { files: string[] }).files;
    expect(files).toContain(REPORT_CHART_FILE);
  });

  it('charts everyone, the majority vote and each model, with the report’s own figures', async () => {
    const inputs = await chartInputs();
    const everyone = inputs.find((i) => i.name === REPORT_CHART_FILE)?.input;
    if (everyone === undefined) throw new Error('no chart for everyone');
    expect(everyone.series.map((s) => [s.name, s.kind])).toEqual([
      ['Everyone (3 people)', 'people'],
      ['Majority vote', 'people'],
      ['always-a', 'model'],
    ]);
    expect(everyone.categories).toEqual([...h.set.categories, 'All']);
    const group = result.report.groups.find((g) => g.group === 'all');
    const all = group?.rows.find((r) => r.category === 'All');
    expect(everyone.series[0]?.values.find((v) => v.category === 'All')).toEqual({
      category: 'All',
      setAcc: all?.setAccuracy?.value,
      low: all?.setAccuracy?.low,
      high: all?.setAccuracy?.high,
      n: 3 * PAIRS,
    });
    // One right, one "A" twice, one wrong: the majority is whatever two of them agree on, per image.
    const majority = everyone.series[1]?.values.find((v) => v.category === 'All');
    expect(majority?.n).toBe(group?.crowd.pairs);
    expect(majority?.setAcc).toBeCloseTo(
      ((group?.crowd.setCorrect ?? -1) / (group?.crowd.pairs ?? 1)) * 100,
      9,
    );
    // The model answers A twice on the very pairs people answered: right only where both answers are A.
    const pairs = new Set(result.rows.map((r) => r.pairId));
    const bothA = h.set.pairs.filter(
      (p) => pairs.has(p.id) && p.images[0].correct === 'A' && p.images[1].correct === 'A',
    ).length;
    const model = everyone.series[2]?.values.find((v) => v.category === 'All');
    expect(model?.n).toBe(pairs.size);
    expect(model?.setAcc).toBeCloseTo((bothA / pairs.size) * 100, 9);
    const drawn = await renderCategoryChart(everyone);
    expect(png(result, REPORT_CHART_FILE).equals(drawn.png)).toBe(true);
  });

  it('adds one chart per training level when people gave several, each on its own pairs', async () => {
    const names = result.files.filter((f) => f.mediaType === 'image/png').map((f) => f.name);
    expect(names.sort()).toEqual(
      [
        REPORT_CHART_FILE,
        'report-chart-fellow.png',
        'report-chart-resident-pgy1.png',
        'report-chart-unspecified.png',
      ].sort(),
    );
    const fellow = (await chartInputs()).find((i) => i.name === 'report-chart-fellow.png')?.input;
    expect(fellow?.title).toContain('Fellow');
    expect(fellow?.series.map((s) => s.name)).toEqual(['Fellow (1 person)', 'Majority vote', 'always-a']);
    // The fellow got every pair right, and so did the fellow's majority.
    expect(fellow?.series[0]?.values.find((v) => v.category === 'All')?.setAcc).toBe(100);
    expect(fellow?.series[1]?.values.find((v) => v.category === 'All')?.setAcc).toBe(100);
    const px = await decode(png(result, 'report-chart-fellow.png'));
    expect([px.width, px.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  });

  it('writes the charts byte for byte', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baseline-export-chart-'));
    try {
      await writeExportFiles(dir, result.files);
      const written = await readFile(path.join(dir, REPORT_CHART_FILE));
      expect(written.equals(png(result, REPORT_CHART_FILE))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves the charts out, logging why, when they do not match the report', async () => {
    const logs = captureLogs();
    const { rows, profiles } = await history();
    const report = { ...result.report, counts: { ...result.report.counts, instances: 1 } };
    const charts = await reportCharts({ set: h.set, report, rows, profiles, log: logs.log });
    expect(charts).toEqual([]);
    const entry = logs.entries().find((e) => e.level === 50);
    expect(entry?.msg).toContain('exporting without them');
    expect(JSON.stringify(entry?.err)).toContain('the report counted 1');
  });
});

describe('export charts of a single group', () => {
  it('draws only report-chart.png, the friendly empty chart, before anyone answered', async () => {
    const empty = await openBaseline();
    try {
      const exported = await buildExport({
        store: empty.store,
        set: empty.set,
        secret: SECRET,
        format: 'csv',
      });
      expect(exported.files.filter((f) => f.mediaType === 'image/png').map((f) => f.name)).toEqual([
        REPORT_CHART_FILE,
      ]);
      const px = await decode(png(exported, REPORT_CHART_FILE));
      expect([px.width, px.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    } finally {
      await empty.close();
    }
  });
});

async function history() {
  const { readParticipants } = await import('../../src/baseline/export.js');
  const read = await readAnswerHistory(h.store, h.set, indexPairs(h.set), new Pseudonymizer(SECRET));
  const { profiles } = await readParticipants(h.store);
  return { rows: read.rows, profiles };
}

async function chartInputs() {
  const { rows, profiles } = await history();
  return reportChartInputs({
    set: h.set,
    report: result.report,
    rows,
    profiles,
    models: { source: h.models, ids: MODELS },
  });
}
