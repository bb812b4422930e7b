import {
  AttachmentBuilder,
  type BaseInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  escapeMarkdown,
  type Message,
  type MessageCreateOptions,
  type MessageEditOptions,
  MessageFlags,
  REST,
  Routes,
  TimestampStyles,
  time,
} from 'discord.js';
import pLimit, { type LimitFunction } from 'p-limit';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Clock, type Scheduler, systemClock, systemScheduler } from '../quiz/clock.js';
import type {
  Actor,
  AnswerOutcome,
  QuizEngine,
  RecoveryReport,
  RoundView,
  SessionView,
} from '../quiz/engine.js';
import type { QuizEvent } from '../quiz/events.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { isQuizError, quizError } from '../quiz/quiz-errors.js';
import type { RoundReveal } from '../quiz/reveal.js';
import type { SessionSummary } from '../quiz/summary.js';
import { type Throttled, throttleLatest } from '../quiz/throttle.js';
import { warmUpAnswerPath } from '../quiz/warm-up.js';
import type { Collection, Store } from '../store/types.js';
import { discordHostFacts } from './host.js';
import { loggableError } from './loggable-error.js';
import type { AnswerArgs, FullSizeArgs, HostArgs } from './quiz-ids.js';
import {
  answerReply,
  clip,
  type RoundFace,
  type RoundPhase,
  revealMessage,
  roundComponents,
  roundContent,
  roundFileName,
} from './quiz-messages.js';
import { RoundImages } from './quiz-round-image.js';
import { type RoundMessageRecord, roundMessages } from './quiz-round-messages.js';
import { summaryEmbeds } from './quiz-tables.js';
import {
  discordActionFailure,
  discordRecoveryNote,
  discordRefusal,
  discordStepFailure,
} from './quiz-wording.js';
import { summaryChartAttachment } from './result-charts.js';

/**
 * The quiz on Discord: a presenter of the engine's sessions. It renders the engine's events for its
 * channels as channel messages and forwards slash commands and button presses to the engine. Each channel
 * runs one session (the engine's room is the channel id). The engine times rounds and decides every
 * transition; nothing here arms a quiz timer.
 *
 * - Rendering (a new round, a reveal, a closed round, the summary, recovery) runs through the channel's
 *   own queue in the order the engine announced it. Answer clicks do not queue: they go straight to the
 *   engine, which takes thousands at once.
 * - Round questions, reveals and summaries are ordinary channel messages, not interaction replies, whose
 *   tokens expire after 15 minutes. The round message's id is kept in the store (`discord.rounds`) so a
 *   restarted bot goes on editing it.
 * - Every answer click is acknowledged within Discord's 3 seconds: the private confirmation is sent as
 *   the first response when the durable write finishes quickly (one request), otherwise the click is
 *   deferred and the confirmation follows as an edit. Deferring every click instead would double the
 *   requests, and discord.js counts the edits against the bot's global limit of 50 requests a second
 *   (1000 clicks: 20 s until the last confirmation), although Discord exempts interaction endpoints from
 *   it; the edits of deferred clicks therefore go through a REST client of their own without that gate.
 */

export interface QuizTuning {
  /** Pause between a reveal and the next question (the engine's per-session setting); null waits for Next. */
  revealPauseMs: number | null;
  /** Least time between two edits of a round message's live "N answered". */
  counterIntervalMs: number;
  /** How long an answer click may wait for its stored answer before the bot defers its response; 0 always defers. */
  fastReplyMs: number;
  /** /leaderboard ranks people with at least this many answered pairs. */
  leaderboardMinPairs: number;
}

export const DEFAULT_TUNING: QuizTuning = {
  revealPauseMs: 20_000,
  counterIntervalMs: 3_000,
  fastReplyMs: 1_200,
  leaderboardMinPairs: 10,
};

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

const SYSTEM: Actor = { kind: 'system' };

/** What the bot shows for a channel's current round. */
interface ChannelState {
  sessionId: string;
  face: RoundFace;
  messageId: string | null;
  revealMessageId: string | null;
  /** Whether the reveal message carries Next/Stop buttons that must go once the quiz moves on. */
  revealHasControls: boolean;
  /** What the round message currently shows. */
  phase: RoundPhase;
  revealShown: boolean;
  /** People who have answered both images, as last reported by the engine. */
  answered: number;
  counter: Throttled<[]>;
}

export interface QuizStartOptions {
  category: string | null;
  rounds: number | null;
  seconds: number | null;
  models: string[];
  allowChanges: boolean | null;
}

function displayName(interaction: BaseInteraction): string {
  const member = interaction.member;
  if (member !== null && 'displayName' in member && typeof member.displayName === 'string') {
    return member.displayName;
  }
  if (member !== null && 'nick' in member && typeof member.nick === 'string' && member.nick !== '') {
    return member.nick;
  }
  return interaction.user.displayName;
}

function ephemeral(content: string) {
  return {
    content: clip(content, 2000),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  } as const;
}

function faceOf(view: RoundView): RoundFace {
  return {
    sessionId: view.sessionId,
    round: view.round,
    number: view.number,
    totalRounds: view.totalRounds,
    pair: view.pair,
    deadline: view.deadline,
  };
}

export class DiscordQuiz {
  readonly engine: QuizEngine;
  readonly models: ModelAnswerSource;
  readonly tuning: QuizTuning;
  readonly set: PairSet;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly images: RoundImages;
  private readonly records: Collection<RoundMessageRecord>;
  private readonly channels = new Map<string, ChannelState>();
  private readonly queues = new Map<string, LimitFunction>();
  private readonly running = new Set<Promise<unknown>>();
  private client: Client | null = null;
  private interactionRest: REST | null = null;
  private closed = false;
  private markReadyNow: (ready: boolean) => void = () => undefined;
  private readonly ready: Promise<boolean>;
  private readonly ownsRoom: (roomId: string) => boolean;
  private readonly unsubscribe: () => void;
  /** Sessions cancelled because their first question could not be posted: their events show nothing. */
  private readonly cancelled = new Set<string>();
  /** Posting of each session's first round, which `/quiz start` waits for to report a failure. */
  private readonly firstRounds = new Map<string, Promise<unknown>>();

  constructor(options: DiscordQuizOptions) {
    this.ownsRoom = options.ownsRoom ?? isDiscordChannelId;
    this.engine = options.engine;
    this.models = options.models;
    this.set = options.set;
    this.log = options.log.child({ component: 'quiz' });
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.images = options.images ?? new RoundImages({ imagesDir: options.set.imagesDir, log: this.log });
    this.records = roundMessages(options.store);
    this.ready = new Promise((resolve) => {
      this.markReadyNow = resolve;
    });
    this.unsubscribe = this.engine.subscribe((event) => this.onEvent(event));
  }

  /** The client that posts and edits messages; channel steps wait until `markReady`. */
  attach(client: Client): void {
    this.client = client;
    // Made now rather than on the first deferred click, in the middle of a burst.
    this.interactionRest = new REST({
      ...client.options.rest,
      globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
    });
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
    this.markReadyNow(true);
  }

  /** Stops rendering, drops pending counter edits and waits for the running steps; sessions stay stored. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.markReadyNow(false);
    for (const state of this.channels.values()) state.counter.cancel();
    await Promise.allSettled([...this.running]);
  }

  // ---- channel queues -----------------------------------------------------------------------------------

  /** Runs `step` after the channel's earlier steps; skipped (undefined) once the bot is shutting down. */
  private inChannel<T>(channelId: string, step: () => Promise<T>): Promise<T | undefined> {
    let queue = this.queues.get(channelId);
    if (queue === undefined) {
      queue = pLimit(1);
      this.queues.set(channelId, queue);
    }
    const task = queue(async () => {
      if (!(await this.ready) || this.closed) return undefined;
      return step();
    });
    this.running.add(task);
    void task.finally(() => this.running.delete(task)).catch(() => undefined);
    return task;
  }

  /** For events: a queued step whose failure is logged, since nobody is waiting for it. */
  private background(channelId: string, what: string, step: () => Promise<void>): void {
    this.inChannel(channelId, step).catch((err: unknown) =>
      this.log.error({ err: loggableError(err), channelId }, `quiz ${what} failed`),
    );
  }

  // ---- Discord I/O ----------------------------------------------------------------------------------------

  private async channel(channelId: string) {
    if (this.client === null) throw new Error('DiscordQuiz: attach(client) was not called');
    const channel = await this.client.channels.fetch(channelId);
    if (channel === null || !channel.isSendable()) {
      throw new UserFacingError(
        'QUIZ_CHANNEL_UNAVAILABLE',
        'I cannot post in this channel. Check that I can view it, send messages and attach files here.',
      );
    }
    return channel;
  }

  private async send(channelId: string, payload: MessageCreateOptions): Promise<Message> {
    const channel = await this.channel(channelId);
    return channel.send({ ...payload, allowedMentions: { parse: [] } });
  }

  /** Edits a message the bot posted earlier; a message deleted meanwhile is logged, not fatal. */
  private async edit(channelId: string, messageId: string, payload: MessageEditOptions): Promise<void> {
    try {
      const channel = await this.channel(channelId);
      await channel.messages.edit(messageId, { ...payload, allowedMentions: { parse: [] } });
    } catch (err) {
      this.log.warn({ err: loggableError(err), channelId, messageId }, 'could not edit a quiz message');
    }
  }

  private async saveRecord(channelId: string, state: ChannelState): Promise<void> {
    await this.records.set(channelId, {
      sessionId: state.sessionId,
      round: state.face.round,
      messageId: state.messageId,
      revealMessageId: state.revealMessageId,
    });
  }

  // ---- state ----------------------------------------------------------------------------------------------

  private newState(face: RoundFace, channelId: string, answered: number): ChannelState {
    const state: ChannelState = {
      sessionId: face.sessionId,
      face,
      messageId: null,
      revealMessageId: null,
      revealHasControls: false,
      phase: 'open',
      revealShown: false,
      answered,
      counter: throttleLatest(
        async () => {
          if (state.phase !== 'open' || state.messageId === null || this.closed) return;
          await this.edit(channelId, state.messageId, {
            content: roundContent(state.face, 'open', state.answered),
          });
        },
        this.tuning.counterIntervalMs,
        {
          clock: this.clock,
          scheduler: this.scheduler,
          onError: (err) => this.log.warn({ err: loggableError(err), channelId }, 'live count edit failed'),
        },
      ),
    };
    return state;
  }

  private current(channelId: string, sessionId: string, round: number): ChannelState | null {
    const state = this.channels.get(channelId);
    return state !== undefined && state.sessionId === sessionId && state.face.round === round ? state : null;
  }

  /** Whether `view` is still the engine's current round of the channel (a later event closes it if needed). */
  private stillCurrent(view: RoundView): boolean {
    const round = this.engine.session(view.roomId)?.round;
    return round?.round === view.round && round.sessionId === view.sessionId;
  }

  /** The member as the engine's host rule sees them, with the facts only Discord knows. */
  private actor(interaction: BaseInteraction, hostRole: string | null): Actor {
    return { kind: 'member', userId: interaction.user.id, ...discordHostFacts(interaction, hostRole) };
  }

  // ---- the engine's events --------------------------------------------------------------------------------

  /** Queues the rendering of what the engine did in one of this bot's channels. */
  private onEvent(event: QuizEvent): void {
    if (this.closed || !this.ownsRoom(event.roomId)) return;
    const channelId = event.roomId;
    switch (event.type) {
      case 'round-opened': {
        const { round } = event;
        if (this.cancelled.has(round.sessionId)) return;
        const task = this.inChannel(channelId, () => this.showRound(channelId, round));
        if (round.round === 1) {
          // `/quiz start` waits for this and cancels the quiz if it fails.
          this.firstRounds.set(round.sessionId, task);
          task.catch(() => undefined);
        } else {
          task.catch((err: unknown) =>
            this.log.error({ err: loggableError(err), channelId }, 'quiz question failed'),
          );
        }
        return;
      }
      case 'count-changed': {
        const state = this.current(channelId, event.sessionId, event.round);
        if (state !== null && event.answered !== state.answered) {
          state.answered = event.answered;
          state.counter.call();
        }
        return;
      }
      case 'revealed':
        if (this.cancelled.has(event.reveal.sessionId)) return;
        this.background(channelId, 'reveal', () =>
          this.showReveal(channelId, event.reveal, { controls: true }),
        );
        return;
      case 'closed': {
        if (this.cancelled.has(event.sessionId)) return;
        const { sessionId, round, reason } = event;
        this.background(channelId, 'closing a question', async () => {
          const state = this.current(channelId, sessionId, round);
          if (state !== null) await this.closeRoundMessage(channelId, state, reason);
        });
        return;
      }
      case 'ended':
        if (this.cancelled.has(event.summary.sessionId)) return;
        this.background(channelId, 'summary', () => this.showSummary(channelId, event.summary, null));
        return;
      case 'failed':
        this.background(channelId, 'warning', async () => {
          await this.send(channelId, { content: discordStepFailure(event.step, event.retryAt) });
        });
        return;
      case 'recovered':
        // Taken over from a process that stopped: shown as after a restart of this one.
        void this.resume(event.report);
        return;
      case 'lost':
        // Another process now runs the channel's quiz and speaks there; this one only forgets it.
        this.channels.get(channelId)?.counter.cancel();
        this.channels.delete(channelId);
        return;
    }
  }

  // ---- round messages -------------------------------------------------------------------------------------

  /** Posts a new round's message with its composite. */
  private async showRound(channelId: string, view: RoundView): Promise<void> {
    if (!this.stillCurrent(view)) return;
    await this.retireRevealControls(channelId);
    const previous = this.channels.get(channelId);
    previous?.counter.cancel();
    const face = faceOf(view);
    const state = this.newState(face, channelId, view.answeredCount);
    this.channels.set(channelId, state);
    const composite = await this.images.composite(view.pair);
    const name = roundFileName(view.round);
    const message = await this.send(channelId, {
      content: roundContent(face, 'open', state.answered),
      files: [
        new AttachmentBuilder(composite.bytes, {
          name,
          description: 'Image 1 on the left, image 2 on the right',
        }),
      ],
      components: roundComponents(face, 'open'),
    });
    state.messageId = message.id;
    await this.saveRecord(channelId, state);
    // Answers that arrived while the message was being posted.
    if (state.answered !== view.answeredCount) state.counter.call();
  }

  /** Shows the round message closed: answer and host buttons disabled, final count. */
  private async closeRoundMessage(channelId: string, state: ChannelState, phase: RoundPhase): Promise<void> {
    if (state.phase !== 'open') return;
    state.phase = phase;
    state.counter.cancel();
    // Waits for an edit already on its way, so the closed look is the last one written.
    await state.counter.flush();
    if (state.messageId === null) return;
    await this.edit(channelId, state.messageId, {
      content: roundContent(state.face, phase, state.answered),
      components: roundComponents(state.face, phase),
    });
  }

  /** Removes Next/Stop from the channel's last reveal message once the quiz has moved on. */
  private async retireRevealControls(channelId: string): Promise<void> {
    const state = this.channels.get(channelId);
    if (state?.revealMessageId && state.revealHasControls) {
      state.revealHasControls = false;
      await this.edit(channelId, state.revealMessageId, { components: [] });
    }
  }

  // ---- reveal, next, summary ------------------------------------------------------------------------------

  /**
   * Closes the round message and posts the reveal (once per round). With controls, the reveal carries
   * Next/Stop while the session is still on this round (the engine opens the next one after its pause).
   */
  private async showReveal(
    channelId: string,
    reveal: RoundReveal,
    options: { controls: boolean; note?: string | null; numbering?: { number: number; total: number } },
  ): Promise<void> {
    const state = this.current(channelId, reveal.sessionId, reveal.round);
    if (state?.revealShown) return;
    if (state !== null) {
      state.revealShown = true;
      state.answered = Math.max(state.answered, reveal.people.completed);
      await this.closeRoundMessage(channelId, state, 'revealed');
    }
    const session = this.engine.session(channelId);
    // Controls only while the session still shows this round: after Next or Stop they would be stale.
    const running =
      session !== null && session.sessionId === reveal.sessionId && session.round?.round === reveal.round;
    const number = options.numbering?.number ?? state?.face.number ?? reveal.round;
    const total = options.numbering?.total ?? state?.face.totalRounds ?? session?.settings.rounds ?? number;
    const controls = options.controls && running;
    const message = await this.send(
      channelId,
      revealMessage(reveal, {
        number,
        totalRounds: total,
        last: number >= total,
        controls,
        note: options.note ?? null,
      }),
    );
    if (state !== null) {
      state.revealMessageId = message.id;
      state.revealHasControls = controls;
      await this.saveRecord(channelId, state);
    }
  }

  private async showSummary(channelId: string, summary: SessionSummary, note: string | null): Promise<void> {
    await this.retireRevealControls(channelId);
    const state = this.channels.get(channelId);
    state?.counter.cancel();
    this.channels.delete(channelId);
    await this.records.delete(channelId);
    const chart = await summaryChartAttachment(summary, this.log);
    await this.send(channelId, {
      ...(note ? { content: clip(note, 2000) } : {}),
      embeds: summaryEmbeds(summary),
      ...(chart ? { files: [chart] } : {}),
    });
  }

  // ---- commands and buttons -------------------------------------------------------------------------------

  private guildChannel(interaction: BaseInteraction): { channelId: string; guildId: string } {
    if (!interaction.inGuild() || interaction.channelId === null) {
      throw new UserFacingError('QUIZ_GUILD_ONLY', 'Quizzes run in server channels, not in direct messages.');
    }
    return { channelId: interaction.channelId, guildId: interaction.guildId };
  }

  /**
   * With several processes on one store (two shards, or two processes of one shard during a rolling
   * restart, which both receive the channel's events), only the process running the channel's quiz may
   * answer: this throws SESSION_ELSEWHERE, which the router answers with silence, when another live
   * process runs it. Cheap when this process runs a quiz here (no store read).
   */
  private async ensureNotElsewhere(channelId: string): Promise<void> {
    if (this.engine.session(channelId) !== null) return;
    if (await this.engine.runsElsewhere(channelId)) {
      throw quizError('SESSION_ELSEWHERE', 'Another process of this bot runs the quiz in this channel.');
    }
  }

  /** `/quiz start`: starts the channel's session, announces it and posts the first question. */
  async start(interaction: ChatInputCommandInteraction, options: QuizStartOptions): Promise<void> {
    const { channelId, guildId } = this.guildChannel(interaction);
    const started = await this.engine.start({
      roomId: channelId,
      guildId,
      hostUserId: interaction.user.id,
      category: options.category,
      ...(options.rounds !== null ? { rounds: options.rounds } : {}),
      ...(options.seconds !== null ? { secondsPerRound: options.seconds } : {}),
      models: options.models,
      ...(options.allowChanges !== null ? { allowChanges: options.allowChanges } : {}),
      revealPauseMs: this.tuning.revealPauseMs,
    });
    const s = started.session.settings;
    const lines = [
      `🩻 **${escapeMarkdown(displayName(interaction))}** started a quiz: ${s.rounds} question${s.rounds === 1 ? '' : 's'} · ${s.secondsPerRound} s each · ${s.category ? `category ${escapeMarkdown(s.category)}` : 'all categories'}${s.models.length > 0 ? ` · models: ${s.models.map((m) => `\`${m}\``).join(', ')}` : ''}.`,
      s.allowChanges
        ? 'Answer both images of each pair; you can change your answers until the reveal.'
        : 'Answer both images of each pair; your answers lock once both are given.',
      ...started.notices,
    ];
    const { sessionId } = started.session;
    try {
      await interaction.reply({ content: clip(lines.join('\n'), 2000), allowedMentions: { parse: [] } });
      // Queued by the engine's round-opened event while it started the session.
      await this.firstRounds.get(sessionId);
    } catch (err) {
      // A quiz whose question cannot be shown would block the channel: end it, keep nothing half-done.
      this.log.error({ err: loggableError(err), channelId }, 'could not post the first quiz question');
      this.cancelled.add(sessionId);
      await this.inChannel(channelId, async () => {
        await this.engine.stop(channelId, SYSTEM, { sessionId });
        this.channels.get(channelId)?.counter.cancel();
        this.channels.delete(channelId);
        await this.records.delete(channelId);
      }).catch((stopError: unknown) =>
        this.log.error({ err: loggableError(stopError), channelId }, 'could not cancel the quiz'),
      );
      throw new UserFacingError(
        'QUIZ_POST_FAILED',
        'I could not post the question in this channel, so the quiz was cancelled. Check that I can send messages and attach files here, then start again.',
        { cause: err },
      );
    } finally {
      this.firstRounds.delete(sessionId);
    }
  }

  /** `/quiz stop`: for hosts; reveals an answered open round, then posts the summary. */
  async stopCommand(interaction: ChatInputCommandInteraction, hostRole: string | null): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const session = this.engine.session(channelId);
    if (session === null) {
      throw quizError('NO_SESSION', 'There is no quiz running in this channel.');
    }
    // A typed command names no round: it stops the session running now.
    const at = { sessionId: session.sessionId };
    const actor = this.actor(interaction, hostRole);
    const refusal = this.engine.refusalFor(channelId, actor, at);
    if (refusal !== null) throw discordRefusal(refusal);
    await interaction.deferReply();
    try {
      await this.engine.stop(channelId, actor, at);
    } catch (err) {
      throw isQuizError(err) ? discordRefusal(err) : err;
    }
    // The reveal and summary are queued on the channel by the engine's events; the reply follows them.
    await this.inChannel(channelId, async () => undefined);
    await interaction.editReply({
      content: `⏹️ **${escapeMarkdown(displayName(interaction))}** stopped the quiz. The results follow.`,
      allowedMentions: { parse: [] },
    });
  }

  /** An answer button: records the click and tells the person, privately, what they chose. */
  async answer(interaction: ButtonInteraction, [sessionId, round, slot, option]: AnswerArgs): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const pending = this.engine.answer({
      roomId: channelId,
      userId: interaction.user.id,
      displayName: displayName(interaction),
      slot,
      option,
      sessionId,
      round,
    });
    // Awaited below on every path; this only keeps an early failure from being reported as unhandled.
    pending.catch(() => undefined);
    let timer: { cancel(): void } | undefined;
    // A budget of 0 defers every click: racing a 0 ms timer would make the choice depend on timing.
    const early =
      this.tuning.fastReplyMs <= 0
        ? null
        : await Promise.race([
            pending.then((outcome) => ({ outcome })),
            new Promise<null>((resolve) => {
              timer = this.scheduler.schedule(() => resolve(null), this.tuning.fastReplyMs);
            }),
          ]).finally(() => timer?.cancel());
    const state = this.current(channelId, sessionId, round);
    const pair = state?.face.pair ?? null;
    // The response goes first; the live counter (a throttled message edit) is updated after it.
    if (early !== null) {
      try {
        await interaction.reply(ephemeral(answerReply(early.outcome, pair)));
      } finally {
        this.countAnswer(state, early.outcome);
      }
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const outcome = await pending;
    try {
      await this.editDeferred(interaction, answerReply(outcome, pair));
    } finally {
      this.countAnswer(state, outcome);
    }
  }

  /**
   * Fills in a deferred response through the interaction webhook. Authorised by the interaction token
   * alone and exempt from Discord's global rate limit, so it bypasses discord.js's global gate; each
   * token still has its own route bucket, honoured by the REST client.
   */
  private async editDeferred(interaction: ButtonInteraction, content: string): Promise<void> {
    if (this.interactionRest === null) {
      this.interactionRest = new REST({
        ...interaction.client.options.rest,
        globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
      });
    }
    await this.interactionRest.patch(Routes.webhookMessage(interaction.applicationId, interaction.token), {
      auth: false,
      body: { content: clip(content, 2000), allowed_mentions: { parse: [] } },
    });
  }

  private countAnswer(state: ChannelState | null, outcome: AnswerOutcome): void {
    if (state === null || !outcome.ok || outcome.answeredCount <= state.answered) return;
    state.answered = outcome.answeredCount;
    state.counter.call();
  }

  /**
   * Reveal / Next / Skip / Stop buttons: forwarded to the engine with the session and round they belong to;
   * the engine refuses a press that is not a host's or whose question is no longer current (a second host
   * pressing Next at the same moment), and changes nothing then.
   */
  async hostButton(interaction: ButtonInteraction, args: HostArgs, hostRole: string | null): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const [sessionId, round, action] = args;
    const at = { sessionId, round };
    const actor = this.actor(interaction, hostRole);
    // Checked before acknowledging, so a refused press gets a private reply instead of a silent update.
    const refusal = this.engine.refusalFor(channelId, actor, at);
    if (refusal !== null) {
      await interaction.reply(ephemeral(discordRefusal(refusal).message));
      return;
    }
    await interaction.deferUpdate();
    let note: string | null = null;
    try {
      switch (action) {
        case 'reveal':
          if (!(await this.engine.reveal(channelId, actor, at)).fresh) {
            note = 'That question has already been revealed.';
          }
          break;
        case 'next':
          await this.engine.next(channelId, actor, at);
          break;
        case 'skip':
          await this.engine.skip(channelId, actor, at);
          break;
        case 'stop':
          await this.engine.stop(channelId, actor, at);
          break;
      }
    } catch (err) {
      // Refusals and failures alike go to the host who pressed: a store outage is not a skipped round.
      if (isQuizError(err)) note = discordRefusal(err).message;
      else {
        this.log.error({ err: loggableError(err), channelId, action }, 'quiz host action failed');
        note = discordActionFailure(action);
      }
    }
    // What the press changed is rendered from the engine's events, queued on the channel; the note follows.
    await this.inChannel(channelId, async () => undefined);
    if (note !== null) await interaction.followUp(ephemeral(note));
  }

  /** "Full size": both original images, only for the person who asked. */
  async fullSize(interaction: ButtonInteraction, [sessionId, round]: FullSizeArgs): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const state = this.current(channelId, sessionId, round);
    if (state === null) {
      await interaction.reply(ephemeral('That question is over, so its images are no longer offered here.'));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const originals = await this.images.originals(state.face.pair);
    const files = originals.flatMap((image, slot) =>
      image === null
        ? []
        : [new AttachmentBuilder(image.bytes, { name: `image-${slot + 1}${image.extension}` })],
    );
    const missing = originals.flatMap((image, slot) => (image === null ? [slot + 1] : []));
    await interaction.editReply({
      content:
        files.length === 0
          ? "Sorry, the images of this question are not on the bot's server."
          : `Image 1 and image 2 at full size (question ${state.face.number}).${missing.length > 0 ? ` Image ${missing.join(' and ')} is missing on the bot's server.` : ''}`,
      files,
      allowedMentions: { parse: [] },
    });
  }

  // ---- restart --------------------------------------------------------------------------------------------

  /**
   * Shows in each channel what `engine.recover()` did while the bot was down: rounds revealed or sessions
   * ended with a note saying why; open rounds resumed on their existing message (the engine re-armed their
   * deadlines).
   * Queued before the client connects, so host buttons pressed early wait for it.
   */
  resume(report: RecoveryReport): Promise<void> {
    const rooms = new Map<
      string,
      {
        view?: SessionView;
        revealed?: RecoveryReport['revealed'][number];
        ended?: RecoveryReport['ended'][number];
      }
    >();
    const entry = (roomId: string) => {
      let found = rooms.get(roomId);
      if (found === undefined) {
        found = {};
        rooms.set(roomId, found);
      }
      return found;
    };
    for (const revealed of report.revealed) {
      if (this.ownsRoom(revealed.reveal.roomId)) entry(revealed.reveal.roomId).revealed = revealed;
    }
    for (const ended of report.ended) {
      if (this.ownsRoom(ended.summary.roomId)) entry(ended.summary.roomId).ended = ended;
    }
    for (const view of report.resumed) if (this.ownsRoom(view.roomId)) entry(view.roomId).view = view;
    const tasks = [...rooms].map(([roomId, found]) =>
      this.inChannel(roomId, () => this.resumeRoom(roomId, found)).catch((err: unknown) =>
        this.log.error({ err: loggableError(err), channelId: roomId }, 'could not resume a quiz channel'),
      ),
    );
    return Promise.all(tasks).then(() => undefined);
  }

  private async resumeRoom(
    channelId: string,
    found: {
      view?: SessionView;
      revealed?: RecoveryReport['revealed'][number];
      ended?: RecoveryReport['ended'][number];
    },
  ): Promise<void> {
    const record = await this.records.get(channelId);
    const view = found.view ?? null;
    const round = view?.round ?? null;
    // The round the stored message belongs to, rebuilt when the engine still runs it.
    if (view !== null && round !== null) {
      const state = this.newState(faceOf(round), channelId, round.answeredCount);
      if (record !== undefined && record.sessionId === view.sessionId && record.round === round.round) {
        state.messageId = record.messageId;
        state.revealMessageId = record.revealMessageId;
        state.revealShown = record.revealMessageId !== null;
      }
      this.channels.set(channelId, state);
    } else if (record !== undefined && record.messageId !== null) {
      // The session has ended: close the old round message.
      const revealed = found.revealed?.reveal;
      const ours = revealed?.sessionId === record.sessionId && revealed.round === record.round;
      await this.edit(channelId, record.messageId, {
        ...(ours && revealed && found.ended
          ? {
              content: roundContent(
                {
                  sessionId: record.sessionId,
                  round: record.round,
                  number: found.ended.summary.roundsPlayed,
                  totalRounds: found.ended.summary.roundsPlayed,
                  pair: revealed.pair,
                  deadline: revealed.closedAt,
                },
                'interrupted',
                revealed.people.completed,
              ),
            }
          : {}),
        components: roundComponents(record, 'interrupted'),
      });
    }

    if (found.revealed) {
      const { reveal, note } = found.revealed;
      const numbering =
        round?.round === reveal.round
          ? { number: round.number, total: round.totalRounds }
          : found.ended
            ? { number: found.ended.summary.roundsPlayed, total: found.ended.summary.roundsPlayed }
            : undefined;
      await this.showReveal(channelId, reveal, {
        controls: found.ended === undefined,
        note: `🔄 ${discordRecoveryNote(note)}`,
        ...(numbering ? { numbering } : {}),
      });
    }
    if (found.ended) {
      await this.showSummary(channelId, found.ended.summary, `🔄 ${discordRecoveryNote(found.ended.note)}`);
      return;
    }
    if (view === null || round === null) return;
    const state = this.channels.get(channelId);
    if (state === undefined) return;
    switch (round.state) {
      case 'open': {
        if (state.messageId === null) {
          this.channels.delete(channelId);
          await this.showRound(channelId, round);
        } else {
          await this.edit(channelId, state.messageId, {
            content: roundContent(state.face, 'open', state.answered),
            components: roundComponents(state.face, 'open'),
          });
        }
        await this.send(channelId, {
          content: `🔄 I restarted. Question ${round.number} is still open; answers given before the restart are kept. Time's up ${time(Math.floor(round.deadline / 1000), TimestampStyles.RelativeTime)}.`,
        });
        return;
      }
      case 'revealed': {
        if (!state.revealShown) {
          await this.closeRoundMessage(channelId, state, 'revealed');
          const reveal = await this.engine.roundReveal(view.sessionId, round.round);
          await this.showReveal(channelId, reveal, {
            controls: true,
            note: '🔄 I restarted after this question closed; here are its results.',
          });
        } else if (!found.revealed) {
          state.phase = 'revealed';
          state.revealHasControls = true;
          await this.send(channelId, {
            content:
              this.tuning.revealPauseMs === null
                ? '🔄 I restarted. The quiz goes on when the host presses Next question.'
                : '🔄 I restarted. The next question follows shortly.',
          });
        }
        return;
      }
      case 'skipped':
        // Stopped between skipping a round and opening the next: open it now (its event posts it).
        await this.engine.next(channelId, SYSTEM, { sessionId: view.sessionId, round: round.round });
        return;
    }
  }
}
