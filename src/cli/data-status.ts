import path from 'node:path';
import type { Command } from 'commander';
import { dataStatus, formatDataStatus } from '../fetch/status.js';
import type { CliContext } from './context.js';

export function registerDataStatus(parent: Command, ctx: CliContext): void {
  parent
    .command('status')
    .description(
      'say which images are present, how many pairs are complete, and for each missing image its article, licence, every source tried and what to do',
    )
    .option('--dir <dir>', 'data folder (default: MEDICONFUSION_DATA_DIR, data/mediconfusion)')
    .option('--json', 'print the status as JSON')
    .action(async (options: { dir?: string; json?: boolean }) => {
      const dataDir = options.dir ? path.resolve(ctx.cwd, options.dir) : ctx.config().dataDir;
      const status = await dataStatus(dataDir);
      ctx.out.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatDataStatus(status));
      // Scripts can wait for a complete folder: non-zero while any image is missing.
      if (status.images.missing.length > 0) ctx.exitCode = 1;
    });
}
