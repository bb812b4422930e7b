import type { Command } from 'commander';
import { UserFacingError } from '../errors.js';
import type { CliContext } from './context.js';

export function registerStart(parent: Command, ctx: CliContext): void {
  parent
    .command('start')
    .description('run the main job on embedded defaults')
    .action(() => {
      void ctx;
      throw new UserFacingError('NOT_IMPLEMENTED', '`start` is not implemented yet.');
    });
}
