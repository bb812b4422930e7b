import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type FetchPhase, fetchData } from '../fetch/fetch-data.js';
import { createProgressReporter } from '../fetch/progress.js';
import { type ImageSourceName, parseImageSources } from '../fetch/source-order.js';
import { fetchFailed, formatSummary } from '../fetch/summary.js';
import type { CliContext } from './context.js';

interface DataFetchOptions {
  dir?: string;
  concurrency?: number;
  only?: FetchPhase;
  from?: string;
  force?: boolean;
  sources?: ImageSourceName[];
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new InvalidArgumentError('expected a whole number from 1 to 64.');
  }
  return n;
}

/** A bad list is a usage error (exit 2), like any other bad option value. */
function parseSourcesOption(value: string): ImageSourceName[] {
  try {
    return parseImageSources(value, '--sources');
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}

export function registerDataFetch(parent: Command, ctx: CliContext): void {
  parent
    .command('fetch')
    .description(
      'download dataset.json, image_dict.json, statistics.json, the official prompts and the 228 images; resumable',
    )
    .option('--dir <dir>', 'data folder (default: MEDICONFUSION_DATA_DIR, data/mediconfusion)')
    .option('--concurrency <n>', 'downloads at once, 1-64 (default: FETCH_CONCURRENCY, 8)', parseConcurrency)
    .addOption(
      new Option('--only <what>', 'fetch only the dataset files or only the images').choices([
        'dataset',
        'images',
      ]),
    )
    .option(
      '--from <dir>',
      'import images you already have (official data/images, or a ROCO checkout) before downloading',
    )
    .option(
      '--sources <list>',
      'network image sources in the order to try them: pmc-cloud, roco-mirror, pmc-legacy (default: IMAGE_SOURCES, pmc-cloud,roco-mirror)',
      parseSourcesOption,
    )
    .option('--force', 'download again even files that are present and verified')
    .action(async (options: DataFetchOptions) => {
      const config = ctx.config();
      const dataDir = options.dir ? path.resolve(ctx.cwd, options.dir) : config.dataDir;
      const tty = (ctx.err as NodeJS.WriteStream).isTTY === true;
      const reporter = createProgressReporter(ctx.err, tty);
      // Ctrl+C stops cleanly: in-flight downloads are dropped, finished ones stay recorded.
      const controller = new AbortController();
      const onSigint = () => controller.abort(new Error('interrupted (SIGINT)'));
      process.once('SIGINT', onSigint);
      let summary: Awaited<ReturnType<typeof fetchData>>;
      try {
        summary = await fetchData({
          dataDir,
          sources: config.sources,
          concurrency: options.concurrency ?? config.fetchConcurrency,
          only: options.only,
          fromDir: options.from === undefined ? undefined : path.resolve(ctx.cwd, options.from),
          imageSources: options.sources ?? config.imageSources,
          force: options.force ?? false,
          signal: controller.signal,
          observer: reporter,
          log: ctx.log(),
        });
      } finally {
        reporter.stop();
        process.removeListener('SIGINT', onSigint);
      }
      ctx.out.write(formatSummary(summary));
      if (fetchFailed(summary)) ctx.exitCode = 1;
    });
}
