import type { Command } from 'commander';
import { UserFacingError } from '../errors.js';
import type { CliContext } from './context.js';

export function registerDataCheck(parent: Command, ctx: CliContext): void {
  parent
    .command('check')
    .description('check the dataset and images, reporting every problem')
    .action(() => {
      void ctx;
      throw new UserFacingError('NOT_IMPLEMENTED', '`check` is not implemented yet.');
    });
}
