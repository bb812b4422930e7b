import type { Command } from 'commander';
import { UserFacingError } from '../errors.js';
import type { CliContext } from './context.js';

export function registerDataFetch(parent: Command, ctx: CliContext): void {
  parent
    .command('fetch')
    .description('download the dataset, prompts and images')
    .action(() => {
      void ctx;
      throw new UserFacingError('NOT_IMPLEMENTED', '`fetch` is not implemented yet.');
    });
}
