import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { loadPairSetStrict } from '../dataset/load.js';
import type { PairSet } from '../dataset/model.js';
import { parseJsonDocument, type SourceDocument } from '../dataset/source-document.js';
import { UserFacingError } from '../errors.js';
import {
  ANSWER_FORMATS,
  type AnswerFormat,
  alignAnswersToSet,
  CHANCE,
  DEFAULT_THRESHOLD,
  listPairIds,
  officialPairRecord,
  parseAnswers,
  type SetScore,
  scoreSet,
} from '../scoring/index.js';
import { renderSummaryTable, SUMMARY_TABLE_LEGEND } from '../scoring/summary-text.js';
import type { CliContext } from './context.js';

interface ScoreOptions {
  format?: AnswerFormat;
  dataset?: string;
  set?: string;
  threshold: number;
  json?: string;
}

export function registerScore(parent: Command, ctx: CliContext): void {
  parent
    .command('score')
    .description('score an answers file with the official MediConfusion metrics')
    .argument('<file>', 'answers file: raw replies, judge scores, or an official harness Results file')
    .addOption(
      new Option('--format <format>', 'the answers file form (detected when omitted)').choices(
        ANSWER_FORMATS,
      ),
    )
    .option(
      '--dataset <dir>',
      'folder with dataset.json and statistics.json (default: MEDICONFUSION_DATA_DIR)',
    )
    .option('--set <file>', 'score against a custom pair set (YAML or JSON) instead of the official dataset')
    .option(
      '--threshold <n>',
      'margin one option must lead the other by to count as chosen',
      parseThreshold,
      DEFAULT_THRESHOLD,
    )
    .option('--json <out>', 'also write the tables and per-pair outcomes to this JSON file')
    .addHelpText(
      'after',
      `
Answers file forms, keyed by pair id:
  replies       {"10001": {"im1": "A", "im2": "B"}, ...}        (raw replies, official parser)
  judge-scores  {"10001": {"im1": {"A": 8, "B": 2}, "im2": {...}}, ...}
  official      the official harness's Results/<model>/<model>_<mode>.json

Examples:
  mediconfusion score answers.json
  mediconfusion score Results/gpt/gpt_mc.json --format official --json gpt-mc-table.json
  mediconfusion score class-answers.json --set my-pairs.yaml`,
    )
    .action(async (file: string, options: ScoreOptions) => {
      await runScore(ctx, file, options);
    });
}

function parseThreshold(value: string): number {
  const parsed = z.coerce.number().positive().finite().safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('expected a positive number such as 3.');
  return parsed.data;
}

async function runScore(ctx: CliContext, file: string, options: ScoreOptions): Promise<void> {
  const answersFile = path.resolve(ctx.cwd, file);
  const datasetDir = options.dataset ? path.resolve(ctx.cwd, options.dataset) : ctx.config().dataDir;

  const doc = await readAnswersDocument(answersFile, file);
  const parsed = parseAnswers(doc.value, {
    source: file,
    locate: doc.locate,
    ...(options.format ? { format: options.format } : {}),
  });
  const setFile = options.set ? path.resolve(ctx.cwd, options.set) : undefined;
  const set = await loadSetForScoring(datasetDir, setFile);
  const { answers, missing } = alignAnswersToSet(set, parsed, file);
  if (missing.length > 0) {
    ctx.err.write(
      `warning: ${file} does not answer ${missing.length} of the ${set.pairs.length} pairs ` +
        `(${listPairIds(missing)}); they are scored as invalid answers, like a model that gave no reply.\n`,
    );
  }
  const result = scoreSet(set, answers, options.threshold);

  ctx.out.write(
    `${file}: ${parsed.format} format, threshold ${options.threshold}, ` +
      `${set.pairs.length - missing.length} of ${set.pairs.length} pairs answered (${set.name} set)\n\n`,
  );
  ctx.out.write(renderTable(result));

  if (options.json) {
    const out = path.resolve(ctx.cwd, options.json);
    const report = {
      file: answersFile,
      format: parsed.format,
      threshold: options.threshold,
      dataset: { name: set.name, source: setFile ?? datasetDir, pairs: set.pairs.length },
      missingPairs: missing,
      officialScoreTable: result.counts,
      table: result.summary.rounded,
      tableFull: result.summary.full,
      intervals: result.summary.intervals,
      chance: CHANCE,
      pairs: Object.fromEntries(result.pairs.map((scored) => [scored.pair.id, officialPairRecord(scored)])),
    };
    try {
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    } catch (err) {
      throw new UserFacingError('OUTPUT_UNWRITABLE', `Cannot write ${out}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    ctx.out.write(`\nWrote ${out}\n`);
  }
}

/**
 * The one place `score` loads the set it scores against: the validating loader, which reports every problem
 * of the data files as a UserFacingError. Images are not needed for scoring, so they are not checked.
 */
async function loadSetForScoring(dataDir: string, setFile: string | undefined): Promise<PairSet> {
  return loadPairSetStrict(setFile === undefined ? { dataDir } : { dataDir, setFile });
}

/**
 * Reads the answers file; a missing file, a syntax error or a repeated key (JSON readers would silently keep
 * the last one) is the user's to fix, with line and column.
 */
async function readAnswersDocument(file: string, label: string): Promise<SourceDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new UserFacingError('ANSWERS_UNREADABLE', `Cannot read the answers file ${file}: ${reason}.`, {
      cause: err,
    });
  }
  const doc = parseJsonDocument(file, text);
  if (doc.issues.length > 0) {
    const syntax = doc.issues.find((issue) => issue.kind === 'syntax');
    const shown = syntax ? [syntax] : doc.issues;
    const lines = shown.map((issue) => {
      const at = issue.position ? `line ${issue.position.line}, column ${issue.position.column}: ` : '';
      return `  ${at}${issue.message.replace(/^invalid JSON: /, '')}`;
    });
    throw new UserFacingError(
      syntax ? 'ANSWERS_INVALID_JSON' : 'ANSWERS_DUPLICATE_KEY',
      `${label} ${syntax ? 'is not valid JSON' : 'repeats keys'}:\n${lines.join('\n')}`,
    );
  }
  return doc;
}

/** The official table (rounded as the official script prints it) with Wilson intervals and a chance row. */
function renderTable({ summary }: SetScore): string {
  return `${renderSummaryTable(summary)}\n${SUMMARY_TABLE_LEGEND}\n`;
}
