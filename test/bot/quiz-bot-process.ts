import { runBot } from '../../src/bot/run.js';
import { COMMANDS } from '../../src/commands/index.js';
import { loadDiscordConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import { loadTeachingSet, modelSource, type QuizBotOptions } from './harness.js';

/**
 * The quiz bot as its own process, for tests that kill it (SIGKILL: no cleanup, no goodbye) and start
 * another bot on the same store. Reads its settings from QUIZ_BOT_CHILD (JSON) and the DISCORD_* variables,
 * prints "ready" once connected, and then runs until killed.
 */

interface ChildSettings extends Omit<QuizBotOptions, 'clock'> {
  dataDir: string;
  storeUrl: string;
}

const settings = JSON.parse(process.env.QUIZ_BOT_CHILD ?? '{}') as ChildSettings;
const log = createLogger({ level: 'info', destination: process.stderr });
const store = await openStore(settings.storeUrl, { log });
const set = await loadTeachingSet(settings.dataDir);
await runBot({
  discordConfig: loadDiscordConfig(process.env),
  commands: COMMANDS,
  log,
  store,
  set,
  models: modelSource(settings.models),
  random: seededRandom(7),
  ...(settings.tuning ? { tuning: settings.tuning } : {}),
  ...(settings.limits ? { limits: settings.limits } : {}),
});
process.stdout.write('ready\n');
