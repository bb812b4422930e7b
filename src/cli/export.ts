import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import {
  buildExport,
  EXPORT_FORMATS,
  type ExportFormat,
  recordedRunAnswers,
  resolveBaselineSecret,
  storedBaselineSecret,
  writeExportFiles,
} from '../baseline/index.js';
import { loadPairSetStrict } from '../dataset/load.js';
import { UserFacingError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import type { CliContext } from './context.js';

interface ExportOptions {
  out?: string;
  format: ExportFormat;
  dataset?: string;
  set?: string;
  models?: string[];
  withQuiz?: boolean;
  excludeSeen?: boolean;
  seed: number;
  resamples: number;
  storeSecret?: boolean;
}

export function registerExport(parent: Command, ctx: CliContext): void {
  parent
    .command('export')
    .description('export the human baseline: every answer (pseudonymous), the report and score tables')
    .option('--out <dir>', 'folder to write into (default: data/export)')
    .addOption(
      new Option('--format <format>', 'csv, json, or all (both)').choices(EXPORT_FORMATS).default('all'),
    )
    .option(
      '--dataset <dir>',
      'folder with dataset.json and statistics.json (default: MEDICONFUSION_DATA_DIR)',
    )
    .option(
      '--set <file>',
      'export answers to this custom pair set (YAML or JSON) instead of the official one',
    )
    .option(
      '--models <ids>',
      'compare people with these models, from recorded probe runs (comma-separated; default: every recorded model)',
      parseList,
    )
    .option(
      '--with-quiz',
      'count quiz answers (revealed rounds) in the report too, not only the private baseline',
    )
    .option('--exclude-seen', 'leave out of the report pairs with an image the person had seen before')
    .option('--seed <n>', 'bootstrap seed', integer(0, 2 ** 31 - 1), 1)
    .option('--resamples <n>', 'bootstrap resamples', integer(100, 100_000), 2000)
    .option(
      '--store-secret',
      'use the development secret `start` generated in the store instead of BASELINE_SECRET',
    )
    .addHelpText(
      'after',
      `
Needs BASELINE_SECRET (the one the bot runs with): quiz answers are stored under platform ids, which the
export replaces by the same pseudonyms the baseline uses. Answers always include both contexts (baseline
and quiz, column "context"); --with-quiz only changes what the report counts.

Examples:
  mediconfusion export
  mediconfusion export --out exports/2025-06 --format csv --models gpt-4o,claude
  mediconfusion export --with-quiz --exclude-seen`,
    )
    .action(async (options: ExportOptions) => {
      await runExport(ctx, options);
    });
}

function parseList(value: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0) throw new InvalidArgumentError('expected model ids separated by commas.');
  return ids;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = z.coerce.number().int().min(min).max(max).safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return parsed.data;
  };
}

async function runExport(ctx: CliContext, options: ExportOptions): Promise<void> {
  const config = ctx.config();
  const outDir = path.resolve(ctx.cwd, options.out ?? path.join('data', 'export'));
  const store = await openStore(config.storeUrl, { cwd: ctx.cwd, log: ctx.log() });
  try {
    // The secret first: without it nothing can be exported, so fail before any slow work.
    const secret = options.storeSecret
      ? await storedBaselineSecret(store)
      : await resolveBaselineSecret({ configured: config.baselineSecret, whenMissing: 'fail', store });
    const datasetDir = options.dataset ? path.resolve(ctx.cwd, options.dataset) : config.dataDir;
    const setFile = options.set ? path.resolve(ctx.cwd, options.set) : undefined;
    const set = await loadPairSetStrict(
      setFile === undefined ? { dataDir: datasetDir } : { dataDir: datasetDir, setFile },
    );
    const source = recordedRunAnswers(store);
    const known = await source.knownModels();
    const ids = options.models ?? known;
    const unknown = ids.filter((id) => !known.includes(id));
    if (unknown.length > 0) {
      throw new UserFacingError(
        'UNKNOWN_MODEL',
        `No recorded multiple-choice run for ${unknown.join(', ')} in ${store.redactedUrl}. ` +
          (known.length > 0 ? `Recorded models: ${known.join(', ')}.` : 'No model has a recorded run yet.') +
          ' Record one with `mediconfusion probe run` or `probe import`.',
      );
    }
    const result = await buildExport({
      store,
      set,
      secret,
      format: options.format,
      report: {
        contexts: options.withQuiz ? ['baseline', 'quiz'] : ['baseline'],
        excludeSeenBefore: options.excludeSeen ?? false,
        bootstrap: { seed: options.seed, resamples: options.resamples },
        models: { source, ids },
        log: ctx.log(),
      },
    });
    const written = await writeExportFiles(outDir, result.files);
    const s = result.summary;
    ctx.out.write(
      `Exported ${s.answers} answers (${s.baselineAnswers} baseline, ${s.quizAnswers} quiz) of ` +
        `${s.participants} participants for the ${s.set} set` +
        (ids.length > 0 ? `, compared with ${ids.join(', ')}` : '') +
        '.\n',
    );
    const skipped = s.skipped.baselineAnswers + s.skipped.quizAnswers;
    if (skipped > 0) {
      ctx.out.write(`Left out ${skipped} answers to other sets (export them with --set).\n`);
    }
    ctx.out.write(`Wrote ${written.length} files to ${outDir}:\n`);
    for (const file of written) ctx.out.write(`  ${path.basename(file)}\n`);
  } finally {
    await store.close();
  }
}
