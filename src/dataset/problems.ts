import path from 'node:path';
import { UserFacingError } from '../errors.js';

/**
 * Stable codes for everything dataset validation can report. Scripts and tests match on these,
 * so a code is never renamed; new ones are added.
 */
export const PROBLEM_CODES = [
  'FILE_MISSING',
  'FILE_UNREADABLE',
  'JSON_SYNTAX',
  'YAML_SYNTAX',
  'DUPLICATE_KEY',
  'NOT_AN_OBJECT',
  'FIELD_MISSING',
  'FIELD_TYPE',
  'FIELD_INVALID',
  'FIELD_UNKNOWN',
  'TEXT_EMPTY',
  'ANSWER_INVALID',
  'ANSWERS_SAME',
  'OPTIONS_IDENTICAL',
  'SAME_IMAGE_TWICE',
  'DUPLICATE_ID',
  'LOCAL_ID_CONFLICT',
  'CATEGORY_UNKNOWN',
  'CATEGORY_DUPLICATE',
  'STATISTICS_MISMATCH',
  'IMAGE_DICT_MISSING',
  'IMAGE_DICT_LOCAL_MISMATCH',
  'IMAGES_DIR_MISSING',
  'IMAGE_MISSING',
  'IMAGE_OUTSIDE_SET',
  'FIELD_TOO_LONG',
  'IMAGE_UNREADABLE',
  'IMAGE_CORRUPT',
  'IMAGE_FORMAT_UNSUPPORTED',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** One thing wrong with a data file or image, located as precisely as the input allows. */
export interface Problem {
  /** Absolute path of the file to fix (the data file, or the image file itself when it is broken). */
  file: string;
  /** Pair id the problem belongs to (for custom pairs without a valid id: `pairs[3]`). */
  pairId?: string;
  /** Field inside the pair (`im_1_correct`, `images[0].answer`), or inside the file when there is no pair. */
  field?: string;
  /** 1-based line and column in `file`, when the file is text and the spot is known. */
  line?: number;
  column?: number;
  message: string;
  code: ProblemCode;
}

/** Orders problems by file, then position, then pair id, so output reads top to bottom like the files. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.pairId ?? '').localeCompare(b.pairId ?? '', undefined, { numeric: true }) ||
      (a.field ?? '').localeCompare(b.field ?? ''),
  );
}

/** `pair 10001, im_1_correct (line 20, column 24)`: where inside its file a problem is. */
export function describeLocation(problem: Problem): string {
  const parts: string[] = [];
  if (problem.pairId !== undefined) parts.push(`pair ${problem.pairId}`);
  if (problem.field !== undefined) parts.push(problem.field);
  let where = parts.join(', ');
  if (problem.line !== undefined) {
    const at = `line ${problem.line}${problem.column === undefined ? '' : `, column ${problem.column}`}`;
    where = where ? `${where} (${at})` : at;
  }
  return where;
}

/** One line: `dataset.json: pair 10001, im_1_correct (line 20, column 24): … [ANSWER_INVALID]`. */
export function formatProblem(problem: Problem, cwd?: string): string {
  const file = cwd ? displayPath(problem.file, cwd) : problem.file;
  const where = describeLocation(problem);
  return `${file}: ${where ? `${where}: ` : ''}${problem.message} [${problem.code}]`;
}

/** A path relative to `cwd` when it lies inside it, otherwise absolute. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Groups problems by file, in sorted order, for human-readable reports. */
export function groupProblemsByFile(problems: readonly Problem[]): Map<string, Problem[]> {
  const groups = new Map<string, Problem[]>();
  for (const problem of sortProblems(problems)) {
    const group = groups.get(problem.file);
    if (group) group.push(problem);
    else groups.set(problem.file, [problem]);
  }
  return groups;
}

/** The error thrown by the strict loaders: lists every problem, each with its location. */
export function datasetInvalidError(
  what: string,
  problems: readonly Problem[],
  cwd?: string,
): UserFacingError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = sortProblems(problems).map((problem) => `  ${formatProblem(problem, cwd)}`);
  return new UserFacingError('DATASET_INVALID', `${what} has ${count}:\n${lines.join('\n')}`);
}
