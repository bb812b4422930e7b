import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { deployCommands } from '../../src/app/deploy-commands.js';
import { type Bot, createBot } from '../../src/bot/client.js';
import type { BotDeps, Command } from '../../src/bot/command.js';
import type { QuizTuning } from '../../src/bot/quiz-front-end.js';
import { type RunningBot, runBot } from '../../src/bot/run.js';
import { COMMANDS } from '../../src/commands/index.js';
import { type DiscordConfig, loadDiscordConfig } from '../../src/config.js';
import type { PairSet } from '../../src/dataset/model.js';
import { loadOfficialSetStrict, officialPairToModel } from '../../src/dataset/official.js';
import { imageDictSchema, officialPairSchema } from '../../src/dataset/official-files.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { Clock } from '../../src/quiz/clock.js';
import type { QuizLimits } from '../../src/quiz/engine.js';
import { InMemoryModelAnswers, type ModelPairAnswers } from '../../src/quiz/model-answers.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';

/** Everything the bot logged, as parsed pino lines (and the raw text, to look for secrets). */
export interface LogCapture {
  log: Logger;
  lines: string[];
  entries(): Record<string, unknown>[];
}

export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return {
    log: createLogger({ level: 'debug', destination }),
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * The official set as the bot would hold it once the data folder is complete: pairs from dataset.json
 * with their source articles from image_dict.json (the strict loader skips the latter), placeholder images.
 */
export async function loadTeachingSet(dataDir: string): Promise<PairSet> {
  const set = await loadOfficialSetStrict(dataDir);
  const dataset = JSON.parse(await readFile(path.join(dataDir, 'dataset.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const imageDict = imageDictSchema.parse(
    JSON.parse(await readFile(path.join(dataDir, 'image_dict.json'), 'utf8')),
  );
  const pairs = Object.entries(dataset).map(([id, raw]) =>
    officialPairToModel(id, officialPairSchema.parse(raw), imageDict),
  );
  return { ...set, pairs };
}

export function discordEnv(fake: FakeDiscord): Record<string, string> {
  return {
    DISCORD_TOKEN: fake.token,
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_API_BASE: fake.apiBase,
  };
}

export interface BotHarness {
  fake: FakeDiscord;
  bot: Bot;
  logs: LogCapture;
  config: DiscordConfig;
  pairSet: PairSet;
  dataDir: string;
  close(): Promise<void>;
}

/** Optional parts of the bot's deps (quiz, live probe, baseline), made once the set and data folder exist. */
export type ExtraDeps = Partial<Omit<BotDeps, 'log' | 'pairSet' | 'hostRole'>>;

/**
 * A fake Discord, the real bot connected to it with `commands` (the project's own by default, plus
 * `extraCommands`), and those commands deployed to the fake guild so slash commands carry typed options.
 */
export async function startBot(
  options: {
    extraCommands?: Command[];
    pairSet?: PairSet;
    env?: Record<string, string>;
    deps?: (world: { pairSet: PairSet; dataDir: string; log: Logger }) => Promise<ExtraDeps>;
  } = {},
): Promise<BotHarness> {
  const fake = await startFakeDiscord();
  const logs = captureLogs();
  const dataDir = await makeOfficialDataDir();
  const pairSet = options.pairSet ?? (await loadTeachingSet(dataDir));
  const config = loadDiscordConfig({ ...discordEnv(fake), ...options.env });
  const commands = [...COMMANDS, ...(options.extraCommands ?? [])];
  await deployCommands({ config, commands, log: logs.log });
  const extra = options.deps ? await options.deps({ pairSet, dataDir, log: logs.log }) : {};
  const bot = createBot(config, { ...extra, log: logs.log, pairSet, commands });
  await bot.start();
  return {
    fake,
    bot,
    logs,
    config,
    pairSet,
    dataDir,
    async close() {
      await bot.stop();
      await fake.close();
    },
  };
}

// ---- the quiz: the runtime bot (engine, front end, client) on a real SQLite store ------------------------

/** Model answers for a quiz test: the same answer for every pair, per model (plain data, for a child too). */
export type QuizModelSpec = Record<string, ModelPairAnswers>;

export function modelSource(spec: QuizModelSpec = {}): InMemoryModelAnswers {
  const models = new InMemoryModelAnswers();
  for (const [id, answers] of Object.entries(spec)) models.setModel(id, answers);
  return models;
}

export interface QuizBotOptions {
  models?: QuizModelSpec;
  tuning?: Partial<QuizTuning>;
  limits?: Partial<QuizLimits>;
  clock?: Clock;
}

export interface QuizWorld {
  fake: FakeDiscord;
  logs: LogCapture;
  config: DiscordConfig;
  pairSet: PairSet;
  dataDir: string;
  storeUrl: string;
  /** Starts the bot in this process on its own connection to the store file (again after a crash). */
  startBot(options?: QuizBotOptions): Promise<RunningBot>;
  close(): Promise<void>;
}

/**
 * A fake Discord with the project's commands deployed, the official set with placeholder images, and a
 * SQLite store file, ready for one or more bots to run on (one at a time: the fake sends every
 * interaction to every session of the guild's shard that its bot has not closed, as Discord does).
 */
export async function startQuizWorld(options: { env?: Record<string, string> } = {}): Promise<QuizWorld> {
  const fake = await startFakeDiscord();
  const logs = captureLogs();
  const dataDir = await makeOfficialDataDir();
  const pairSet = await loadTeachingSet(dataDir);
  const storeDir = await mkdtemp(path.join(tmpdir(), 'quiz-bot-store-'));
  const storeUrl = `sqlite://${path.join(storeDir, 'store.sqlite')}`;
  const config = loadDiscordConfig({ ...discordEnv(fake), ...options.env });
  await deployCommands({ config, log: logs.log });
  const stores: Store[] = [];
  const bots: RunningBot[] = [];
  return {
    fake,
    logs,
    config,
    pairSet,
    dataDir,
    storeUrl,
    async startBot(botOptions = {}) {
      const store = await openStore(storeUrl, { log: logs.log });
      stores.push(store);
      const running = await runBot({
        discordConfig: config,
        commands: COMMANDS,
        log: logs.log,
        store,
        set: pairSet,
        models: modelSource(botOptions.models),
        random: seededRandom(7),
        ...(botOptions.tuning ? { tuning: botOptions.tuning } : {}),
        ...(botOptions.limits ? { limits: botOptions.limits } : {}),
        ...(botOptions.clock ? { clock: botOptions.clock } : {}),
      });
      bots.push(running);
      return running;
    },
    async close() {
      for (const running of bots) await running.stop();
      for (const store of stores) await store.close();
      await fake.close();
      await rm(storeDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
