import type { ButtonInteraction, ChatInputCommandInteraction, Client } from 'discord.js';
import type { PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import { type Clock, type Scheduler, systemClock, systemScheduler } from '../quiz/clock.js';
import type { QuizEngine, RecoveryReport } from '../quiz/engine.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { warmUpAnswerPath } from '../quiz/warm-up.js';
import type { Store } from '../store/types.js';
import { QuizChannelPoster } from './quiz-channel-poster.js';
import { QuizChannelQueue } from './quiz-channel-queue.js';
import type { AnswerArgs, FullSizeArgs, HostArgs } from './quiz-ids.js';
import { QuizInteractions, type QuizStartOptions } from './quiz-interactions.js';
import { QuizPresenter } from './quiz-presenter.js';
import { QuizResume } from './quiz-resume.js';
import { RoundImages } from './quiz-round-image.js';
import { DEFAULT_TUNING, type QuizTuning } from './quiz-tuning.js';

export type { QuizStartOptions } from './quiz-interactions.js';
export { DEFAULT_TUNING, type QuizTuning } from './quiz-tuning.js';

/**
 * The quiz on Discord: a presenter of the engine's sessions. It renders the engine's events for its
 * channels as channel messages and forwards slash commands and button presses to the engine. Each channel
 * runs one session (the engine's room is the channel id). The engine times rounds and decides every
 * transition; nothing here arms a quiz timer.
 *
 * This class only wires its parts and routes the engine's events to them:
 * - `QuizChannelQueue` (quiz-channel-queue.ts): each channel's steps in order, held until the client is ready;
 * - `QuizPresenter` (quiz-presenter.ts): the engine's events rendered as round messages, reveals, summaries;
 * - `QuizInteractions` (quiz-interactions.ts): /quiz start and stop, answer, host and Full size buttons;
 * - `QuizResume` (quiz-resume.ts): what recovery did, shown after a restart or a takeover;
 * - `QuizChannelPoster` (quiz-channel-poster.ts): posting and editing with the bot's client.
 */

export interface DiscordQuizOptions {
  engine: QuizEngine;
  /** The engine's model answer source, for the models a quiz can be started with. */
  models: ModelAnswerSource;
  store: Store;
  set: PairSet;
  log: Logger;
  images?: RoundImages;
  clock?: Clock;
  scheduler?: Scheduler;
  tuning?: Partial<QuizTuning>;
  /**
   * Which engine rooms are Discord channels. The engine may be shared with the web channel (one engine, one
   * store, one set of tallies), so its events and recovery also cover other front ends' rooms.
   */
  ownsRoom?: (roomId: string) => boolean;
}

/** Discord channel ids are snowflakes; other front ends prefix their room ids (`web:`). */
export const isDiscordChannelId = (roomId: string): boolean => /^\d{1,20}$/.test(roomId);

export class DiscordQuiz {
  readonly engine: QuizEngine;
  readonly models: ModelAnswerSource;
  readonly tuning: QuizTuning;
  readonly set: PairSet;
  private readonly images: RoundImages;
  private readonly ownsRoom: (roomId: string) => boolean;
  private readonly queue: QuizChannelQueue;
  private readonly poster: QuizChannelPoster;
  private readonly presenter: QuizPresenter;
  private readonly interactions: QuizInteractions;
  private readonly resumer: QuizResume;
  private readonly unsubscribe: () => void;

  constructor(options: DiscordQuizOptions) {
    this.ownsRoom = options.ownsRoom ?? isDiscordChannelId;
    this.engine = options.engine;
    this.models = options.models;
    this.set = options.set;
    const log = options.log.child({ component: 'quiz' });
    const clock = options.clock ?? systemClock;
    const scheduler = options.scheduler ?? systemScheduler;
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.images = options.images ?? new RoundImages({ imagesDir: options.set.imagesDir, log });
    this.queue = new QuizChannelQueue(log);
    this.poster = new QuizChannelPoster(log);
    this.presenter = new QuizPresenter({
      engine: this.engine,
      store: options.store,
      images: this.images,
      poster: this.poster,
      queue: this.queue,
      log,
      clock,
      scheduler,
      counterIntervalMs: this.tuning.counterIntervalMs,
    });
    this.interactions = new QuizInteractions({
      engine: this.engine,
      presenter: this.presenter,
      queue: this.queue,
      images: this.images,
      log,
      scheduler,
      tuning: this.tuning,
    });
    this.resumer = new QuizResume({
      engine: this.engine,
      presenter: this.presenter,
      poster: this.poster,
      queue: this.queue,
      log,
      revealPauseMs: this.tuning.revealPauseMs,
      ownsRoom: this.ownsRoom,
    });
    this.unsubscribe = this.engine.subscribe((event) => {
      if (this.queue.closed || !this.ownsRoom(event.roomId)) return;
      // Taken over from a process that stopped: shown as after a restart of this one.
      if (event.type === 'recovered') void this.resumer.resume(event.report);
      else this.presenter.render(event);
    });
  }

  /** The client that posts and edits messages; channel steps wait until `markReady`. */
  attach(client: Client): void {
    this.poster.attach(client);
    this.interactions.attach(client);
  }

  /**
   * Loads, before the bot says ready, what the first round and the first clicks would otherwise load:
   * the image pipeline (sharp and its codecs) and the answer path's validators.
   */
  async warmUp(): Promise<void> {
    warmUpAnswerPath();
    await this.images.warmUp();
  }

  /** Lets queued channel steps run: call once the client is connected. */
  markReady(): void {
    this.queue.markReady();
  }

  /** Stops rendering, drops pending counter edits and waits for the running steps; sessions stay stored. */
  async close(): Promise<void> {
    if (this.queue.closed) return;
    this.unsubscribe();
    const drained = this.queue.close();
    this.presenter.cancelCounters();
    await drained;
  }

  /** See `QuizResume.resume`: queued before the client connects, so host buttons pressed early wait for it. */
  resume(report: RecoveryReport): Promise<void> {
    return this.resumer.resume(report);
  }

  /** `/quiz start`: starts the channel's session, announces it and posts the first question. */
  start(interaction: ChatInputCommandInteraction, options: QuizStartOptions): Promise<void> {
    return this.interactions.start(interaction, options);
  }

  /** `/quiz stop`: for hosts; reveals an answered open round, then posts the summary. */
  stopCommand(interaction: ChatInputCommandInteraction, hostRole: string | null): Promise<void> {
    return this.interactions.stopCommand(interaction, hostRole);
  }

  /** An answer button: records the click and tells the person, privately, what they chose. */
  answer(interaction: ButtonInteraction, args: AnswerArgs): Promise<void> {
    return this.interactions.answer(interaction, args);
  }

  /** Reveal / Next / Skip / Stop buttons, forwarded to the engine with the session and round they belong to. */
  hostButton(interaction: ButtonInteraction, args: HostArgs, hostRole: string | null): Promise<void> {
    return this.interactions.hostButton(interaction, args, hostRole);
  }

  /** "Full size": both original images, only for the person who asked. */
  fullSize(interaction: ButtonInteraction, args: FullSizeArgs): Promise<void> {
    return this.interactions.fullSize(interaction, args);
  }
}
