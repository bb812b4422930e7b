import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import { indexPairs } from '../quiz/pairs.js';
import type { Store } from '../store/types.js';
import { type AnswerRow, readAnswerHistory } from './history.js';
import type { Profile } from './profile.js';
import { checkSecretMatchesStore, Pseudonymizer } from './pseudonym.js';
import { type BaselineReport, buildReport, type Estimate, type ReportOptions } from './report.js';
import { reportCharts } from './report-chart.js';
import { REPORT_HTML_FILE, renderReportHtml } from './report-html.js';
import { baselineCollections } from './store-layout.js';

export const EXPORT_FORMATS = ['csv', 'json', 'all'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The mode part of the official `<model>_<mode>_score.json` names: people answer multiple choice. */
const SCORE_MODE = 'mc';
/** The crowd's majority answer, scored as the official harness scores a model. */
export const CROWD_MODEL_NAME = 'people-majority';

export type ExportFile =
  | { name: string; mediaType: 'text/csv' | 'application/json' | 'text/html'; content: string }
  | { name: string; mediaType: 'image/png'; content: Buffer };

export interface ExportSummary {
  set: string;
  generatedAt: string;
  format: ExportFormat;
  answers: number;
  baselineAnswers: number;
  quizAnswers: number;
  participants: number;
  /** Answers to other sets (or to sessions no longer stored), not exported. */
  skipped: { baselineAnswers: number; quizAnswers: number };
}

export interface BaselineExport {
  summary: ExportSummary;
  report: BaselineReport;
  rows: AnswerRow[];
  files: ExportFile[];
}

export interface ExportOptions {
  store: Store;
  set: PairSet;
  /** The deployment secret: quiz answers hold platform ids, which are replaced by pseudonyms here. */
  secret: string;
  format: ExportFormat;
  report?: ReportOptions;
  now?: Date;
}

/**
 * Everything a researcher needs, with pseudonymous participant ids only: every answer (baseline and quiz,
 * with its context), the participants' profiles, the report, the crowd's official score tables, the
 * report's charts (PNG, whatever the format) and report.html (self-contained, with a methods paragraph). Files are returned in memory (a bot attaches them);
 * `writeExportFiles` puts them in a folder.
 */
export async function buildExport(options: ExportOptions): Promise<BaselineExport> {
  const { store, set, format } = options;
  const now = options.now ?? new Date();
  const pseudonyms = new Pseudonymizer(options.secret);
  await checkSecretMatchesStore(store, pseudonyms, { record: false });
  const history = await readAnswerHistory(store, set, indexPairs(set), pseudonyms);
  const { profiles, consents } = await readParticipants(store);
  const report = await buildReport(set, history.rows, profiles, { ...options.report, now });

  const participants = participantRows(history.rows, profiles, consents);
  const baselineAnswers = history.rows.filter((r) => r.context === 'baseline').length;
  const summary: ExportSummary = {
    set: set.name,
    generatedAt: now.toISOString(),
    format,
    answers: history.rows.length,
    baselineAnswers,
    quizAnswers: history.rows.length - baselineAnswers,
    participants: participants.length,
    skipped: { baselineAnswers: history.skippedBaselineAnswers, quizAnswers: history.skippedQuizAnswers },
  };

  const answers = history.rows.map((row) => answerRecord(row, profiles));
  const files: ExportFile[] = [];
  const csv = format === 'csv' || format === 'all';
  const json = format === 'json' || format === 'all';
  if (csv) {
    files.push(csvFile('answers.csv', ANSWER_COLUMNS, answers));
    files.push(csvFile('participants.csv', PARTICIPANT_COLUMNS, participants));
    files.push(...reportCsvFiles(report));
  }
  if (json) {
    files.push(jsonFile('answers.json', answers));
    files.push(jsonFile('participants.json', participants));
    files.push(jsonFile('report.json', report));
  }
  for (const group of report.groups) {
    const name = group.group === 'all' ? CROWD_MODEL_NAME : `${CROWD_MODEL_NAME}-${group.group}`;
    files.push(jsonFile(`${name}_${SCORE_MODE}_score.json`, group.crowd.scoreTable));
  }
  const charts = await reportCharts({
    set,
    report,
    rows: history.rows,
    profiles,
    ...(options.report?.models ? { models: options.report.models } : {}),
    ...(options.report?.log ? { log: options.report.log } : {}),
  });
  for (const chart of charts) files.push({ name: chart.name, mediaType: 'image/png', content: chart.png });
  files.push({ name: REPORT_HTML_FILE, mediaType: 'text/html', content: renderReportHtml(report, charts) });
  files.push(
    jsonFile('manifest.json', { ...summary, report: report.options, files: files.map((f) => f.name) }),
  );
  return { summary, report, rows: history.rows, files };
}

/** Writes the files into `dir` (created if needed), each atomically; returns their paths. */
export async function writeExportFiles(dir: string, files: readonly ExportFile[]): Promise<string[]> {
  const written: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    for (const file of files) {
      const target = path.join(dir, file.name);
      const temp = `${target}.tmp-${process.pid}`;
      await writeFile(temp, file.content);
      await rename(temp, target);
      written.push(target);
    }
  } catch (err) {
    throw new UserFacingError(
      'OUTPUT_UNWRITABLE',
      `Cannot write the export to ${dir}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return written;
}

/** Profiles and consent times by pseudonym. */
export async function readParticipants(
  store: Store,
): Promise<{ profiles: Map<string, Profile>; consents: Map<string, number> }> {
  const db = baselineCollections(store);
  const profiles = new Map<string, Profile>();
  for await (const [, p] of db.profiles.entries()) {
    profiles.set(p.participant, {
      trainingLevel: p.trainingLevel,
      specialty: p.specialty,
      updatedAt: p.updatedAt,
    });
  }
  const consents = new Map<string, number>();
  for await (const [, c] of db.consent.entries()) consents.set(c.participant, c.acceptedAt);
  return { profiles, consents };
}

const iso = (ms: number): string => new Date(ms).toISOString();

const ANSWER_COLUMNS = [
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
] as const;

type AnswerExport = Record<(typeof ANSWER_COLUMNS)[number], string | number | boolean | null>;

function answerRecord(row: AnswerRow, profiles: ReadonlyMap<string, Profile>): AnswerExport {
  return {
    participant: row.participant,
    training_level: profiles.get(row.participant)?.trainingLevel ?? null,
    context: row.context,
    session_id: row.sessionId,
    round: row.round,
    round_state: row.roundState,
    pair_id: row.pairId,
    image: row.slot + 1,
    local_id: row.localId,
    option: row.option,
    correct: row.correct,
    response_ms: row.responseMs,
    seen_before: row.seenBefore,
    changes: row.changes,
    shown_at: iso(row.shownAt),
    answered_at: iso(row.at),
  };
}

const PARTICIPANT_COLUMNS = [
  'participant',
  'training_level',
  'specialty',
  'consented_at',
  'baseline_answers',
  'quiz_answers',
  'first_answer_at',
  'last_answer_at',
] as const;

type ParticipantExport = Record<(typeof PARTICIPANT_COLUMNS)[number], string | number | null>;

/** Everyone with a consent, a profile or an answer; quiz players who never opened the baseline included. */
function participantRows(
  rows: readonly AnswerRow[],
  profiles: ReadonlyMap<string, Profile>,
  consents: ReadonlyMap<string, number>,
): ParticipantExport[] {
  const ids = new Set([...consents.keys(), ...profiles.keys(), ...rows.map((r) => r.participant)]);
  const byParticipant = new Map<string, AnswerRow[]>();
  for (const row of rows) {
    const list = byParticipant.get(row.participant) ?? [];
    list.push(row);
    byParticipant.set(row.participant, list);
  }
  return [...ids].sort().map((participant) => {
    const mine = byParticipant.get(participant) ?? [];
    const times = mine.map((r) => r.at);
    const consented = consents.get(participant);
    const profile = profiles.get(participant);
    return {
      participant,
      training_level: profile?.trainingLevel ?? null,
      specialty: profile?.specialty ?? null,
      consented_at: consented === undefined ? null : iso(consented),
      baseline_answers: mine.filter((r) => r.context === 'baseline').length,
      quiz_answers: mine.filter((r) => r.context === 'quiz').length,
      first_answer_at: times.length === 0 ? null : iso(Math.min(...times)),
      last_answer_at: times.length === 0 ? null : iso(Math.max(...times)),
    };
  });
}

function reportCsvFiles(report: BaselineReport): ExportFile[] {
  const est = (prefix: string, e: Estimate | null) => ({
    [prefix]: e?.value ?? null,
    [`${prefix}_low`]: e?.low ?? null,
    [`${prefix}_high`]: e?.high ?? null,
    [`${prefix}_n`]: e?.n ?? null,
    [`${prefix}_interval`]: e?.interval ?? null,
  });
  const accuracy = report.groups.flatMap((g) =>
    g.rows.map((r) => ({
      group: g.group,
      category: r.category,
      n: r.n,
      pairs: r.pairs,
      participants: r.participants,
      ...est('set_acc', r.setAccuracy),
      ...est('individual_acc', r.individualAccuracy),
      ...est('confusion', r.confusion),
    })),
  );
  const estimateColumns = (prefix: string) => [
    prefix,
    `${prefix}_low`,
    `${prefix}_high`,
    `${prefix}_n`,
    `${prefix}_interval`,
  ];
  const crowd = report.groups.map((g) => ({
    group: g.group,
    participants: g.participants,
    pairs: g.crowd.pairs,
    decided_pairs: g.crowd.decidedPairs,
    tied_pairs: g.crowd.tiedPairs,
    tied_images: g.crowd.tiedImages,
    set_correct: g.crowd.setCorrect,
    ...est('set_acc', g.crowd.setAccuracy),
    ...est('individual_acc', g.crowd.individualAccuracy),
  }));
  const models = report.groups.flatMap((g) =>
    g.versusModels.map((m) => ({
      group: g.group,
      model: m.modelId,
      status: m.status,
      pairs: m.pairs,
      tied_pairs: m.tiedPairs,
      crowd_set_correct: m.crowdSetCorrect,
      model_set_correct: m.modelSetCorrect,
      crowd_set_acc: m.crowdSetAccuracy,
      model_set_acc: m.modelSetAccuracy,
      b: m.b,
      c: m.c,
      p: m.p,
      p_holm: m.pHolm,
    })),
  );
  const pairs = report.pairDifficulty.map((p) => ({
    pair_id: p.pairId,
    categories: p.categories.join(';'),
    n: p.n,
    set_correct_share: p.setCorrectShare,
    confused_share: p.confusedShare,
    image1_local_id: p.images[0]?.localId ?? null,
    image1_n: p.images[0]?.n ?? null,
    image1_right_share: p.images[0]?.rightShare ?? null,
    image2_local_id: p.images[1]?.localId ?? null,
    image2_n: p.images[1]?.n ?? null,
    image2_right_share: p.images[1]?.rightShare ?? null,
    crowd_majority: p.crowdMajority.map((o) => o ?? '-').join(''),
    crowd_set_correct: p.crowdSetCorrect,
  }));
  const images = report.imageDifficulty.map((i) => ({
    local_id: i.localId,
    categories: i.categories.join(';'),
    appearances: i.appearances.map((a) => `${a.pairId}:${a.slot + 1}`).join(';'),
    n: i.n,
    right: i.right,
    right_share: i.rightShare,
  }));
  return [
    csvFile(
      'report-accuracy.csv',
      [
        'group',
        'category',
        'n',
        'pairs',
        'participants',
        ...estimateColumns('set_acc'),
        ...estimateColumns('individual_acc'),
        ...estimateColumns('confusion'),
      ],
      accuracy,
    ),
    csvFile(
      'report-crowd.csv',
      [
        'group',
        'participants',
        'pairs',
        'decided_pairs',
        'tied_pairs',
        'tied_images',
        'set_correct',
        ...estimateColumns('set_acc'),
        ...estimateColumns('individual_acc'),
      ],
      crowd,
    ),
    csvFile(
      'report-models.csv',
      [
        'group',
        'model',
        'status',
        'pairs',
        'tied_pairs',
        'crowd_set_correct',
        'model_set_correct',
        'crowd_set_acc',
        'model_set_acc',
        'b',
        'c',
        'p',
        'p_holm',
      ],
      models,
    ),
    ...statisticsCsvFiles(report),
    csvFile(
      'pair-difficulty.csv',
      [
        'pair_id',
        'categories',
        'n',
        'set_correct_share',
        'confused_share',
        'image1_local_id',
        'image1_n',
        'image1_right_share',
        'image2_local_id',
        'image2_n',
        'image2_right_share',
        'crowd_majority',
        'crowd_set_correct',
      ],
      pairs,
    ),
    csvFile(
      'image-difficulty.csv',
      ['local_id', 'categories', 'appearances', 'n', 'right', 'right_share'],
      images,
    ),
  ];
}

/** The files a reviewer needs beyond the accuracy tables: spread, agreement, levels, crowd by raters. */
function statisticsCsvFiles(report: BaselineReport): ExportFile[] {
  const ci = (prefix: string, e: { value: number; low: number | null; high: number | null } | null) => ({
    [prefix]: e?.value ?? null,
    [`${prefix}_low`]: e?.low ?? null,
    [`${prefix}_high`]: e?.high ?? null,
  });
  const modelAccuracy = report.groups.flatMap((g) =>
    g.models.flatMap((m) =>
      m.rows.map((r) => ({
        group: g.group,
        model: m.modelId,
        category: r.category,
        ...ci('set_acc', r.setAccuracy),
        set_acc_n: r.setAccuracy?.n ?? null,
        set_acc_interval: r.setAccuracy?.interval ?? null,
      })),
    ),
  );
  const crowdRows = report.groups.flatMap((g) =>
    g.crowd.rows.map((r) => ({
      group: g.group,
      category: r.category,
      decided_pairs: r.decidedPairs,
      ...ci('set_acc', r.setAccuracy),
      set_acc_interval: r.setAccuracy?.interval ?? null,
    })),
  );
  const raters = report.groups.flatMap((g) =>
    g.crowd.byRaters.map((r) => ({
      group: g.group,
      raters: r.raters,
      pairs: r.pairs,
      decided_pairs: r.decidedPairs,
      tied_pairs: r.tiedPairs,
      set_correct: r.setCorrect,
      set_acc: r.setAccuracy,
    })),
  );
  const agreement = report.groups.flatMap((g) =>
    g.agreement.map((a) => ({
      group: g.group,
      category: a.category,
      units: a.units,
      pairs: a.pairs,
      mean_raters: a.meanRaters,
      observed_agreement: a.observedAgreement,
      ...ci('fleiss_kappa', a.fleissKappa),
      ...ci('krippendorff_alpha', a.krippendorffAlpha),
      interval: a.fleissKappa?.interval ?? null,
    })),
  );
  const spreads = report.groups.flatMap((g) =>
    (['setAccuracy', 'individualAccuracy'] as const).map((metric) => {
      const s = g.spread[metric];
      return {
        group: g.group,
        metric: metric === 'setAccuracy' ? 'set_acc' : 'individual_acc',
        participants: s?.n ?? 0,
        mean: s?.mean ?? null,
        sd: s?.sd ?? null,
        median: s?.median ?? null,
        q1: s?.q1 ?? null,
        q3: s?.q3 ?? null,
        min: s?.min ?? null,
        max: s?.max ?? null,
      };
    }),
  );
  const people = report.participants.map((p) => ({
    participant: p.participant,
    training_level: p.group === 'unspecified' ? null : p.group,
    pairs: p.pairs,
    set_acc: p.setAccuracy,
    individual_acc: p.individualAccuracy,
  }));
  const levels = report.levelComparisons.map((l) => ({
    level_1: l.levels[0],
    level_2: l.levels[1],
    participants_1: l.participants[0],
    participants_2: l.participants[1],
    common_pairs: l.commonPairs,
    set_acc_1: l.setAccuracy[0],
    set_acc_2: l.setAccuracy[1],
    ...ci('difference', l.difference),
    difference_interval: l.difference?.interval ?? null,
    first_better: l.b,
    second_better: l.c,
    even: l.even,
    status: l.status,
    p: l.p,
    p_holm: l.pHolm,
  }));
  const withCi = (prefix: string) => [prefix, `${prefix}_low`, `${prefix}_high`];
  return [
    csvFile(
      'report-model-accuracy.csv',
      ['group', 'model', 'category', ...withCi('set_acc'), 'set_acc_n', 'set_acc_interval'],
      modelAccuracy,
    ),
    csvFile(
      'report-crowd-categories.csv',
      ['group', 'category', 'decided_pairs', ...withCi('set_acc'), 'set_acc_interval'],
      crowdRows,
    ),
    csvFile(
      'report-crowd-raters.csv',
      ['group', 'raters', 'pairs', 'decided_pairs', 'tied_pairs', 'set_correct', 'set_acc'],
      raters,
    ),
    csvFile(
      'report-agreement.csv',
      [
        'group',
        'category',
        'units',
        'pairs',
        'mean_raters',
        'observed_agreement',
        ...withCi('fleiss_kappa'),
        ...withCi('krippendorff_alpha'),
        'interval',
      ],
      agreement,
    ),
    csvFile(
      'report-spread.csv',
      ['group', 'metric', 'participants', 'mean', 'sd', 'median', 'q1', 'q3', 'min', 'max'],
      spreads,
    ),
    csvFile(
      'report-participants.csv',
      ['participant', 'training_level', 'pairs', 'set_acc', 'individual_acc'],
      people,
    ),
    csvFile(
      'report-levels.csv',
      [
        'level_1',
        'level_2',
        'participants_1',
        'participants_2',
        'common_pairs',
        'set_acc_1',
        'set_acc_2',
        ...withCi('difference'),
        'difference_interval',
        'first_better',
        'second_better',
        'even',
        'status',
        'p',
        'p_holm',
      ],
      levels,
    ),
  ];
}

/** CSV with a header row; booleans as 1/0 and missing values empty, as statistics packages read them. */
function csvFile(
  name: string,
  columns: readonly string[],
  records: ReadonlyArray<Record<string, string | number | boolean | null>>,
): ExportFile {
  const content = stringify(records as Array<Record<string, unknown>>, {
    header: true,
    columns: [...columns],
    cast: { boolean: (value) => (value ? '1' : '0') },
  });
  return { name, mediaType: 'text/csv', content };
}

function jsonFile(name: string, value: unknown): ExportFile {
  return { name, mediaType: 'application/json', content: `${JSON.stringify(value, null, 2)}\n` };
}
