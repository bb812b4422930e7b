import type { Command } from '../bot/command.js';
import baseline from './baseline.js';
import exportCommand from './export.js';
import forgetMe from './forget-me.js';
import leaderboard from './leaderboard.js';
import pair from './pair.js';
import probe from './probe.js';
import profile from './profile.js';
import quiz from './quiz.js';
import stats from './stats.js';

/**
 * Every slash command of the bot, in the order Discord lists them. deploy-commands registers exactly
 * this list, and the interaction router answers exactly these names.
 */
export const COMMANDS: readonly Command[] = [
  pair,
  quiz,
  stats,
  leaderboard,
  probe,
  baseline,
  profile,
  forgetMe,
  exportCommand,
];
