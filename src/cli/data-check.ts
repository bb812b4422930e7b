import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { loadPairSet } from '../dataset/load.js';
import { describeSummary, summarizeSet } from '../dataset/pair-set.js';
import {
  describeLocation,
  displayPath,
  groupProblemsByFile,
  type Problem,
  sortProblems,
} from '../dataset/problems.js';
import { UserFacingError } from '../errors.js';
import type { CliContext } from './context.js';

const optionsSchema = z.object({
  dir: z.string().min(1).optional(),
  images: z.string().min(1).optional(),
  set: z.string().min(1).optional(),
  imageCheck: z.boolean().default(true),
  json: z.boolean().default(false),
});

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Problems grouped under their file, each with pair, field and line, then the one-line verdict. */
function printReport(ctx: CliContext, summary: string, problems: readonly Problem[]): void {
  if (problems.length === 0) {
    ctx.out.write(`${summary}: no problems\n`);
    return;
  }
  const groups = groupProblemsByFile(problems);
  for (const [file, inFile] of groups) {
    ctx.out.write(`${displayPath(file, ctx.cwd)} (${plural(inFile.length, 'problem')})\n`);
    for (const problem of inFile) {
      const where = describeLocation(problem);
      ctx.out.write(`  ${where ? `${where}: ` : ''}${problem.message} [${problem.code}]\n`);
    }
    ctx.out.write('\n');
  }
  ctx.out.write(`${summary}: ${plural(problems.length, 'problem')} in ${plural(groups.size, 'file')}\n`);
}

async function requireDirectory(dir: string): Promise<void> {
  const found = await stat(dir).catch(() => null);
  if (!found?.isDirectory()) {
    throw new UserFacingError(
      'DATA_DIR_MISSING',
      `Data folder ${dir} not found. Download the dataset with \`mediconfusion data fetch\`, or point --dir (or MEDICONFUSION_DATA_DIR) at it.`,
    );
  }
}

export function registerDataCheck(parent: Command, ctx: CliContext): void {
  parent
    .command('check')
    .description('check the dataset (or a custom pair set) and its images, reporting every problem')
    .addOption(new Option('--dir <dir>', 'official data folder (default: MEDICONFUSION_DATA_DIR)'))
    .addOption(new Option('--images <dir>', 'folder of official images (default: <dir>/images)'))
    .addOption(
      new Option(
        '--set <file>',
        'check a custom pair set (YAML or JSON) instead of the official dataset',
      ).conflicts(['dir', 'images']),
    )
    .option('--no-image-check', 'check the data files only, without finding and decoding the images')
    .option('--json', 'print the summary and problems as JSON')
    .action(async (raw: unknown) => {
      const options = optionsSchema.parse(raw);
      const resolve = (p: string) => path.resolve(ctx.cwd, p);
      const setFile = options.set === undefined ? undefined : resolve(options.set);
      const dataDir = options.dir === undefined ? ctx.config().dataDir : resolve(options.dir);
      if (setFile === undefined) await requireDirectory(dataDir);

      const { set, problems } = await loadPairSet(
        {
          dataDir,
          ...(options.images === undefined ? {} : { imagesDir: resolve(options.images) }),
          ...(setFile === undefined ? {} : { setFile }),
        },
        { checkImages: options.imageCheck },
      );
      const summary = summarizeSet(set);
      if (options.json) {
        const report = {
          source: setFile ?? dataDir,
          ...summary,
          imagesChecked: options.imageCheck,
          ok: problems.length === 0,
          problems: sortProblems(problems),
        };
        ctx.out.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        printReport(ctx, describeSummary(summary), problems);
      }
      if (problems.length > 0) ctx.exitCode = 1;
    });
}
