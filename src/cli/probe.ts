import type { Command } from 'commander';
import { UserFacingError } from '../errors.js';
import type { CliContext } from './context.js';

export function registerProbe(parent: Command, ctx: CliContext): void {
  parent
    .command('probe')
    .description('ask a model the benchmark questions')
    .action(() => {
      void ctx;
      throw new UserFacingError('NOT_IMPLEMENTED', '`probe` is not implemented yet.');
    });
}
