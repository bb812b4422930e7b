import type { Command } from '../bot/command.js';
import pair from './pair.js';

/**
 * Every slash command of the bot, in the order Discord lists them. deploy-commands registers exactly
 * this list, and the interaction router answers exactly these names.
 */
export const COMMANDS: readonly Command[] = [pair];
