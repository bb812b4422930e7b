import type { BaselineService } from '../baseline/service.js';
import type { Config, DiscordConfig } from '../config.js';
import type { PairSet } from '../dataset/model.js';
import type { LiveProbe } from '../live/live-probe.js';
import type { Logger } from '../logger.js';
import type { Clock, Scheduler } from '../quiz/clock.js';
import { QuizEngine, type QuizLimits, type RecoveryReport } from '../quiz/engine.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import type { RandomSource } from '../random.js';
import type { Store } from '../store/types.js';
import { DiscordBaseline } from './baseline-front-end.js';
import { type Bot, createBot } from './client.js';
import type { Command } from './command.js';
import { DiscordQuiz, type QuizTuning } from './quiz-front-end.js';
import type { RoundImages } from './quiz-round-image.js';

/**
 * The Discord bot at run time: the quiz engine on the store, the quiz front end, and the client with
 * every command. Sessions left running by a previous process are recovered before the bot connects, so
 * the first clicks after a restart already find them; what recovery did is then shown in each channel.
 */

export interface RunBotOptions {
  /** The project's configuration (read for completeness; the bot's own settings are in `discordConfig`). */
  config?: Config;
  discordConfig: DiscordConfig;
  /** The slash commands to serve (COMMANDS from src/commands/index.ts, passed in by the composition root). */
  commands: readonly Command[];
  log: Logger;
  /** Owned by the caller, who closes it after `stop()`. */
  store: Store;
  set: PairSet;
  models: ModelAnswerSource;
  /** Quiz pacing; defaults in DEFAULT_TUNING (src/bot/quiz-tuning.ts). */
  tuning?: Partial<QuizTuning>;
  limits?: Partial<QuizLimits>;
  clock?: Clock;
  scheduler?: Scheduler;
  random?: RandomSource;
  images?: RoundImages;
  /**
   * An engine shared with the web channel (one engine, one store, one set of tallies), already recovered by
   * its owner, who also closes it. Without it the bot makes and recovers its own.
   */
  shared?: { engine: QuizEngine; recovery: RecoveryReport };
  /** Live model questions for `/probe`; without it `/probe` says live questions are not set up. */
  liveProbe?: LiveProbe;
  /**
   * The private human baseline (`/baseline`, `/profile`, `/export`, `/forget-me`), on the same store and set
   * and with the secret its pseudonyms were made with; without it those commands say the baseline is off.
   */
  baseline?: { service: BaselineService; secret: string };
}

export interface RunningBot {
  bot: Bot;
  engine: QuizEngine;
  quiz: DiscordQuiz;
  /** Clears every timer, waits for the steps under way, disconnects; sessions stay stored for the next start. */
  stop(): Promise<void>;
}

export async function runBot(options: RunBotOptions): Promise<RunningBot> {
  const { discordConfig, log, store, set, models } = options;
  const engine =
    options.shared?.engine ??
    new QuizEngine({
      store,
      set,
      models,
      log: log.child({ component: 'quiz-engine' }),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
  const quiz = new DiscordQuiz({
    engine,
    models,
    store,
    set,
    log,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(options.images ? { images: options.images } : {}),
  });
  const baseline =
    options.baseline &&
    new DiscordBaseline({
      service: options.baseline.service,
      store,
      set,
      secret: options.baseline.secret,
      log,
      ...(options.images ? { images: options.images } : {}),
    });
  const bot = createBot(discordConfig, {
    commands: options.commands,
    log,
    pairSet: set,
    quiz,
    ...(options.liveProbe ? { liveProbe: options.liveProbe } : {}),
    ...(baseline ? { baseline } : {}),
  });
  quiz.attach(bot.client);

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      await quiz.close();
      await bot.stop();
      // Its leases are given up, so another process takes its sessions over at once.
      if (options.shared === undefined) await engine.shutdown();
    })();
    return stopped;
  };

  try {
    // Warmed before connecting: once the bot is ready, a burst of clicks finds nothing left to load.
    await Promise.all([store.warmUp(), quiz.warmUp()]);
    const report = options.shared?.recovery ?? (await engine.recover());
    // Queued now, run once connected: host buttons pressed in the first moments wait behind them.
    const resumed = quiz.resume(report);
    await bot.start();
    quiz.markReady();
    await resumed;
  } catch (err) {
    await stop();
    throw err;
  }
  return { bot, engine, quiz, stop };
}
