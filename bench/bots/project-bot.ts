import { runBot } from '../../src/bot/run.js';
import { COMMANDS } from '../../src/commands/index.js';
import { loadDiscordConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import { loadTeachingSet, modelSource } from '../../test/bot/harness.js';

/**
 * The project's Discord bot in a process of its own, as `npm start` runs it: the quiz engine on a SQLite
 * store file, the quiz front end, discord.js. For the click-burst benchmark (bench/click-burst.ts): reads
 * BENCH_STORE_URL, BENCH_DATA_DIR and the DISCORD_* variables, sends `{ ready: true }` over IPC once the
 * bot says ready, and answers `'stats'` with the store's write statistics.
 */
const log = createLogger({ level: 'warn', destination: process.stderr });
const store = await openStore(process.env.BENCH_STORE_URL ?? '', { log });
const set = await loadTeachingSet(process.env.BENCH_DATA_DIR ?? '');
await runBot({
  discordConfig: loadDiscordConfig(process.env),
  commands: COMMANDS,
  log,
  store,
  set,
  models: modelSource({}),
  random: seededRandom(7),
  tuning: { revealPauseMs: null },
});
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ stats: store.writeStats() });
});
process.send?.({ ready: true });
