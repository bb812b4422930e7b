import type { Command } from 'commander';
import { UserFacingError } from '../errors.js';
import type { CliContext } from './context.js';

export function registerScore(parent: Command, ctx: CliContext): void {
  parent
    .command('score')
    .description('score an answers file with the official metrics')
    .action(() => {
      void ctx;
      throw new UserFacingError('NOT_IMPLEMENTED', '`score` is not implemented yet.');
    });
}
