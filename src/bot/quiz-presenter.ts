import { AttachmentBuilder } from 'discord.js';
import type { Logger } from '../logger.js';
import type { Clock, Scheduler } from '../quiz/clock.js';
import type { AnswerOutcome, QuizEngine, RoundView } from '../quiz/engine.js';
import type { QuizEvent } from '../quiz/events.js';
import type { RoundReveal } from '../quiz/reveal.js';
import type { SessionSummary } from '../quiz/summary.js';
import { type Throttled, throttleLatest } from '../quiz/throttle.js';
import type { Collection, Store } from '../store/types.js';
import { loggableError } from './loggable-error.js';
import type { QuizChannelPoster } from './quiz-channel-poster.js';
import type { QuizChannelQueue } from './quiz-channel-queue.js';
import {
  clip,
  type RoundFace,
  type RoundPhase,
  revealMessage,
  roundComponents,
  roundContent,
  roundFileName,
} from './quiz-messages.js';
import type { RoundImages } from './quiz-round-image.js';
import { type RoundMessageRecord, roundMessages } from './quiz-round-messages.js';
import { summaryEmbeds } from './quiz-tables.js';
import { discordStepFailure } from './quiz-wording.js';
import { summaryChartAttachment } from './result-charts.js';

/** What the bot shows for a channel's current round. */
export interface ChannelState {
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

export interface QuizPresenterOptions {
  engine: QuizEngine;
  store: Store;
  images: RoundImages;
  poster: QuizChannelPoster;
  queue: QuizChannelQueue;
  log: Logger;
  clock: Clock;
  scheduler: Scheduler;
  /** Least time between two edits of a round message's live "N answered". */
  counterIntervalMs: number;
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

/**
 * Renders the engine's events for the bot's channels as Discord messages: the round message (question,
 * composite, buttons) with its live "N answered", closed at the reveal or skip; the reveal; the summary;
 * a warning when a step the engine took by itself failed. Each rendering runs through the channel's queue
 * in the order the engine announced it. It keeps what each channel currently shows, and the round
 * message's id in the store (`discord.rounds`) so a restarted bot goes on editing it.
 */
export class QuizPresenter {
  private readonly engine: QuizEngine;
  private readonly images: RoundImages;
  private readonly poster: QuizChannelPoster;
  private readonly queue: QuizChannelQueue;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly counterIntervalMs: number;
  private readonly records: Collection<RoundMessageRecord>;
  private readonly channels = new Map<string, ChannelState>();
  /** Sessions cancelled because their first question could not be posted: their events show nothing. */
  private readonly cancelled = new Set<string>();
  /** Posting of each session's first round, which `/quiz start` waits for to report a failure. */
  private readonly firstRounds = new Map<string, Promise<unknown>>();

  constructor(options: QuizPresenterOptions) {
    this.engine = options.engine;
    this.images = options.images;
    this.poster = options.poster;
    this.queue = options.queue;
    this.log = options.log;
    this.clock = options.clock;
    this.scheduler = options.scheduler;
    this.counterIntervalMs = options.counterIntervalMs;
    this.records = roundMessages(options.store);
  }

  // ---- the engine's events --------------------------------------------------------------------------------

  /** Queues the rendering of what the engine did in one of this bot's channels. */
  render(event: Exclude<QuizEvent, { type: 'recovered' }>): void {
    const channelId = event.roomId;
    switch (event.type) {
      case 'round-opened': {
        const { round } = event;
        if (this.cancelled.has(round.sessionId)) return;
        const task = this.queue.inChannel(channelId, () => this.showRound(channelId, round));
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
        this.queue.background(channelId, 'reveal', () =>
          this.showReveal(channelId, event.reveal, { controls: true }),
        );
        return;
      case 'closed': {
        if (this.cancelled.has(event.sessionId)) return;
        const { sessionId, round, reason } = event;
        this.queue.background(channelId, 'closing a question', async () => {
          const state = this.current(channelId, sessionId, round);
          if (state !== null) await this.closeRoundMessage(channelId, state, reason);
        });
        return;
      }
      case 'ended':
        if (this.cancelled.has(event.summary.sessionId)) return;
        this.queue.background(channelId, 'summary', () => this.showSummary(channelId, event.summary, null));
        return;
      case 'failed':
        this.queue.background(channelId, 'warning', async () => {
          await this.poster.send(channelId, { content: discordStepFailure(event.step, event.retryAt) });
        });
        return;
      case 'lost':
        // Another process now runs the channel's quiz and speaks there; this one only forgets it.
        this.forgetChannel(channelId);
        return;
    }
  }

  // ---- what each channel shows ----------------------------------------------------------------------------

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
          if (state.phase !== 'open' || state.messageId === null || this.queue.closed) return;
          await this.poster.edit(channelId, state.messageId, {
            content: roundContent(state.face, 'open', state.answered),
          });
        },
        this.counterIntervalMs,
        {
          clock: this.clock,
          scheduler: this.scheduler,
          onError: (err) => this.log.warn({ err: loggableError(err), channelId }, 'live count edit failed'),
        },
      ),
    };
    return state;
  }

  /** What the channel shows of that round, if it is the one shown now. */
  current(channelId: string, sessionId: string, round: number): ChannelState | null {
    const state = this.channels.get(channelId);
    return state !== undefined && state.sessionId === sessionId && state.face.round === round ? state : null;
  }

  /** What the channel shows now, whichever round it is. */
  displayed(channelId: string): ChannelState | undefined {
    return this.channels.get(channelId);
  }

  /** Whether `view` is still the engine's current round of the channel (a later event closes it if needed). */
  private stillCurrent(view: RoundView): boolean {
    const round = this.engine.session(view.roomId)?.round;
    return round?.round === view.round && round.sessionId === view.sessionId;
  }

  /** An answer the engine took: the live counter follows when it raised the count. */
  countAnswer(state: ChannelState | null, outcome: AnswerOutcome): void {
    if (state === null || !outcome.ok || outcome.answeredCount <= state.answered) return;
    state.answered = outcome.answeredCount;
    state.counter.call();
  }

  /** Stops showing the channel's round (pending counter edits dropped); its stored record stays. */
  forgetChannel(channelId: string): void {
    this.channels.get(channelId)?.counter.cancel();
    this.channels.delete(channelId);
  }

  /** Stops showing the channel's round and drops its stored record. */
  async dropChannel(channelId: string): Promise<void> {
    this.forgetChannel(channelId);
    await this.records.delete(channelId);
  }

  /** Drops every pending counter edit (the bot is shutting down). */
  cancelCounters(): void {
    for (const state of this.channels.values()) state.counter.cancel();
  }

  // ---- /quiz start's first round ---------------------------------------------------------------------------

  /** The posting of the session's first round, while `/quiz start` may wait for it. */
  firstRound(sessionId: string): Promise<unknown> | undefined {
    return this.firstRounds.get(sessionId);
  }

  /** `/quiz start` has its answer about the first round. */
  forgetFirstRound(sessionId: string): void {
    this.firstRounds.delete(sessionId);
  }

  /** The session's first question could not be posted: its further events show nothing. */
  cancelSession(sessionId: string): void {
    this.cancelled.add(sessionId);
  }

  // ---- after a restart ------------------------------------------------------------------------------------

  /** The round message record the store keeps for the channel. */
  storedRound(channelId: string): Promise<RoundMessageRecord | undefined> {
    return this.records.get(channelId);
  }

  /** Shows `round` again after a restart, on the stored messages when `record` is of that round. */
  restoreRound(channelId: string, round: RoundView, record: RoundMessageRecord | undefined): void {
    const state = this.newState(faceOf(round), channelId, round.answeredCount);
    if (record !== undefined && record.sessionId === round.sessionId && record.round === round.round) {
      state.messageId = record.messageId;
      state.revealMessageId = record.revealMessageId;
      state.revealShown = record.revealMessageId !== null;
    }
    this.channels.set(channelId, state);
  }

  /** Rewrites the open round message with its current count and live buttons. */
  async refreshOpenRound(channelId: string, state: ChannelState): Promise<void> {
    if (state.messageId === null) return;
    await this.poster.edit(channelId, state.messageId, {
      content: roundContent(state.face, 'open', state.answered),
      components: roundComponents(state.face, 'open'),
    });
  }

  /** The round's reveal was posted before a restart, with its Next/Stop buttons. */
  adoptShownReveal(state: ChannelState): void {
    state.phase = 'revealed';
    state.revealHasControls = true;
  }

  // ---- round messages -------------------------------------------------------------------------------------

  /** Posts a new round's message with its composite. */
  async showRound(channelId: string, view: RoundView): Promise<void> {
    if (!this.stillCurrent(view)) return;
    await this.retireRevealControls(channelId);
    const previous = this.channels.get(channelId);
    previous?.counter.cancel();
    const face = faceOf(view);
    const state = this.newState(face, channelId, view.answeredCount);
    this.channels.set(channelId, state);
    const composite = await this.images.composite(view.pair);
    const name = roundFileName(view.round);
    const message = await this.poster.send(channelId, {
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
  async closeRoundMessage(channelId: string, state: ChannelState, phase: RoundPhase): Promise<void> {
    if (state.phase !== 'open') return;
    state.phase = phase;
    state.counter.cancel();
    // Waits for an edit already on its way, so the closed look is the last one written.
    await state.counter.flush();
    if (state.messageId === null) return;
    await this.poster.edit(channelId, state.messageId, {
      content: roundContent(state.face, phase, state.answered),
      components: roundComponents(state.face, phase),
    });
  }

  /** Removes Next/Stop from the channel's last reveal message once the quiz has moved on. */
  private async retireRevealControls(channelId: string): Promise<void> {
    const state = this.channels.get(channelId);
    if (state?.revealMessageId && state.revealHasControls) {
      state.revealHasControls = false;
      await this.poster.edit(channelId, state.revealMessageId, { components: [] });
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

  // ---- reveal, summary ------------------------------------------------------------------------------------

  /**
   * Closes the round message and posts the reveal (once per round). With controls, the reveal carries
   * Next/Stop while the session is still on this round (the engine opens the next one after its pause).
   */
  async showReveal(
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
    const message = await this.poster.send(
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

  async showSummary(channelId: string, summary: SessionSummary, note: string | null): Promise<void> {
    await this.retireRevealControls(channelId);
    const state = this.channels.get(channelId);
    state?.counter.cancel();
    this.channels.delete(channelId);
    await this.records.delete(channelId);
    const chart = await summaryChartAttachment(summary, this.log);
    await this.poster.send(channelId, {
      ...(note ? { content: clip(note, 2000) } : {}),
      embeds: summaryEmbeds(summary),
      ...(chart ? { files: [chart] } : {}),
    });
  }
}
