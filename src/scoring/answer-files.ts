import { z } from 'zod';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import { type OptionScores, parseMcReply } from './mc-parser.js';

/**
 * The three answer files `score` reads, all keyed by pair id:
 * - `replies`: `{"im1": text|null, "im2": text|null}`, raw multiple-choice replies, read by the official parser;
 * - `judge-scores`: `{"im1": {"A": n, "B": n}, "im2": {…}}`, a judge's closeness scores per option;
 * - `official`: the official harness's `Results/<model>/<model>_<mode>.json`, whose
 *   `answer.im1` / `answer.im2` hold the option scores it computed (its stored `score` is recomputed here).
 * Every form ends as two OptionScores per pair, so the official choice rule and threshold apply uniformly.
 */
export const ANSWER_FORMATS = ['replies', 'judge-scores', 'official'] as const;
export type AnswerFormat = (typeof ANSWER_FORMATS)[number];

/** The option scores of a pair's two images (im1, im2). */
export type ImageAnswers = [OptionScores, OptionScores];

/** What an image without an answer scores: the official parser's result for a missing (null) reply. */
export const NO_ANSWER: OptionScores = { A: 0, B: 0 };

const SCORE_EXPECTED = 'expected a whole number from 0 to 10';
const optionScore = z
  .int({ error: SCORE_EXPECTED })
  .min(0, { error: SCORE_EXPECTED })
  .max(10, { error: SCORE_EXPECTED });
const optionScoresSchema = z.looseObject(
  { A: optionScore, B: optionScore },
  { error: 'expected an object {"A": score, "B": score}' },
);

const REPLY_EXPECTED = 'expected the reply text (a string) or null';
const replyEntrySchema = z.looseObject(
  {
    im1: z.string({ error: REPLY_EXPECTED }).nullable(),
    im2: z.string({ error: REPLY_EXPECTED }).nullable(),
  },
  { error: 'expected an object {"im1": reply, "im2": reply}' },
);

const judgeEntrySchema = z.looseObject(
  { im1: optionScoresSchema, im2: optionScoresSchema },
  { error: 'expected an object {"im1": {"A": n, "B": n}, "im2": {"A": n, "B": n}}' },
);

const officialImageSchema = z.looseObject(
  {
    A: optionScore,
    B: optionScore,
    full_answer: z.string({ error: REPLY_EXPECTED }).nullable().optional(),
  },
  { error: 'expected an object {"A": score, "B": score, "full_answer": reply}' },
);
const officialEntrySchema = z.looseObject(
  {
    answer: z.looseObject(
      { im1: officialImageSchema, im2: officialImageSchema },
      { error: 'expected an object {"im1": {…}, "im2": {…}}' },
    ),
    score: z.unknown().optional(),
  },
  { error: 'expected an object {"answer": {"im1": {…}, "im2": {…}}, "score": {…}}' },
);

const ENTRY_SCHEMAS = {
  replies: replyEntrySchema,
  'judge-scores': judgeEntrySchema,
  official: officialEntrySchema,
} as const;

function toImageAnswers(format: AnswerFormat, entry: unknown): ImageAnswers {
  switch (format) {
    case 'replies': {
      const e = entry as z.infer<typeof replyEntrySchema>;
      return [parseMcReply(e.im1), parseMcReply(e.im2)];
    }
    case 'judge-scores': {
      const e = entry as z.infer<typeof judgeEntrySchema>;
      return [
        { A: e.im1.A, B: e.im1.B },
        { A: e.im2.A, B: e.im2.B },
      ];
    }
    case 'official': {
      const e = entry as z.infer<typeof officialEntrySchema>;
      return [
        { A: e.answer.im1.A, B: e.answer.im1.B },
        { A: e.answer.im2.A, B: e.answer.im2.B },
      ];
    }
  }
}

export interface ParsedAnswers {
  format: AnswerFormat;
  /** Per pair id, in the file's order. */
  answers: Map<string, ImageAnswers>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (Array.isArray(value)) return 'an array';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[String(key)];
  }
  return current;
}

const MAX_LISTED_ISSUES = 5;

/** Where a value sits in the source file (1-based line and column), when the caller knows. */
export type LocateInFile = (
  path: readonly (string | number)[],
) => { line: number; column: number } | undefined;

function describeIssues(
  source: string,
  format: AnswerFormat,
  raw: unknown,
  error: z.ZodError,
  locate: LocateInFile | undefined,
): string {
  const lines = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const path = issue.path.map(String);
    const [pairId, ...field] = path;
    const where = field.length > 0 ? `pair "${pairId}", field "${field.join('.')}"` : `pair "${pairId}"`;
    const position = locate?.(path);
    const at = position ? ` (line ${position.line}, column ${position.column})` : '';
    return `  ${where}${at}: ${issue.message}, got ${describeValue(valueAt(raw, issue.path))}`;
  });
  const more = error.issues.length - MAX_LISTED_ISSUES;
  if (more > 0) lines.push(`  … and ${more} more problem${more === 1 ? '' : 's'}`);
  return `${source} is not a valid ${format} answers file:\n${lines.join('\n')}`;
}

/** The form an entry seems meant to be; null when it resembles none. */
function guessEntryFormat(entry: unknown): AnswerFormat | null {
  if (!isPlainObject(entry)) return null;
  if ('answer' in entry) return 'official';
  for (const image of [entry.im1, entry.im2]) {
    if (isPlainObject(image)) return 'judge-scores';
    if (typeof image === 'string' || image === null) return 'replies';
  }
  return null;
}

/** The form a file that fits no schema seems meant to be: the first entry that resembles one decides. */
function guessFormat(entries: ReadonlyArray<[string, unknown]>): AnswerFormat | null {
  for (const [, entry] of entries) {
    const guess = guessEntryFormat(entry);
    if (guess) return guess;
  }
  return null;
}

/**
 * Validates an answers file's content (already parsed from JSON) and turns it into option scores per pair.
 * With no `format`, the form is detected: the one schema the whole file fits. `source` names the file in
 * errors, which are UserFacingErrors saying which pair, which field (and, given `locate`, which line) and
 * what was expected.
 */
export function parseAnswers(
  raw: unknown,
  options: { source: string; format?: AnswerFormat; locate?: LocateInFile },
): ParsedAnswers {
  const { source } = options;
  if (!isPlainObject(raw)) {
    throw new UserFacingError(
      'ANSWERS_INVALID',
      `${source} must be a JSON object keyed by pair id, got ${Array.isArray(raw) ? 'an array' : describeValue(raw)}.`,
    );
  }
  const entries = Object.entries(raw);
  if (entries.length === 0) {
    throw new UserFacingError('ANSWERS_EMPTY', `${source} has no answers (it is an empty object).`);
  }

  let format = options.format;
  if (format === undefined) {
    const fitting = ANSWER_FORMATS.filter(
      (f) => z.record(z.string(), ENTRY_SCHEMAS[f]).safeParse(raw).success,
    );
    if (fitting.length > 1) {
      throw new UserFacingError(
        'ANSWERS_AMBIGUOUS',
        `${source} fits more than one answers format (${fitting.join(', ')}); choose one with --format.`,
      );
    }
    format = fitting[0] ?? guessFormat(entries) ?? undefined;
    if (format === undefined) {
      const [firstId, firstEntry] = entries[0] ?? ['', undefined];
      throw new UserFacingError(
        'ANSWERS_INVALID',
        `${source} is not an answers file: pair "${firstId}" should be {"im1": …, "im2": …} (raw replies or ` +
          `judge scores) or {"answer": {"im1": …, "im2": …}} (official harness file), got ${describeValue(firstEntry)}.`,
      );
    }
  }

  const parsed = z.record(z.string(), ENTRY_SCHEMAS[format]).safeParse(raw);
  if (!parsed.success) {
    throw new UserFacingError(
      'ANSWERS_INVALID',
      describeIssues(source, format, raw, parsed.error, options.locate),
    );
  }
  const answers = new Map<string, ImageAnswers>();
  for (const [pairId, entry] of Object.entries(parsed.data))
    answers.set(pairId, toImageAnswers(format, entry));
  return { format, answers };
}

export interface AlignedAnswers {
  /** One entry per pair of the set, in the set's order; pairs missing from the file score as no answer. */
  answers: Map<string, ImageAnswers>;
  /** Pair ids of the set that the file does not answer. */
  missing: string[];
}

const MAX_LISTED_IDS = 10;

/** `a, b, c and 4 more`: a short list of pair ids for messages. */
export function listPairIds(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_LISTED_IDS).join(', ');
  return ids.length > MAX_LISTED_IDS ? `${shown} and ${ids.length - MAX_LISTED_IDS} more` : shown;
}

/**
 * Matches answers to a set's pairs. Ids the set does not have are an error (a file for another set, or a
 * typo). Pairs the file leaves out are scored as unanswered — both images invalid, as for a model that gave
 * no reply — so that the table stays comparable with the official one, which always covers every pair.
 */
export function alignAnswersToSet(set: PairSet, parsed: ParsedAnswers, source: string): AlignedAnswers {
  const known = new Set(set.pairs.map((pair) => pair.id));
  const unknown = [...parsed.answers.keys()].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UserFacingError(
      'ANSWERS_UNKNOWN_PAIRS',
      `${source} answers ${unknown.length} pair id${unknown.length === 1 ? '' : 's'} that the ${set.name} set ` +
        `does not have: ${listPairIds(unknown)}.`,
    );
  }
  const answers = new Map<string, ImageAnswers>();
  const missing: string[] = [];
  for (const pair of set.pairs) {
    const answer = parsed.answers.get(pair.id);
    if (answer === undefined) missing.push(pair.id);
    answers.set(pair.id, answer ?? [{ ...NO_ANSWER }, { ...NO_ANSWER }]);
  }
  return { answers, missing };
}
