import { TimestampStyles, time } from 'discord.js';
import type { Logger } from '../logger.js';
import type { Actor, QuizEngine, RecoveryReport, SessionView } from '../quiz/engine.js';
import { loggableError } from './loggable-error.js';
import type { QuizChannelPoster } from './quiz-channel-poster.js';
import type { QuizChannelQueue } from './quiz-channel-queue.js';
import { roundComponents, roundContent } from './quiz-messages.js';
import type { QuizPresenter } from './quiz-presenter.js';
import { discordRecoveryNote } from './quiz-wording.js';

export interface QuizResumeOptions {
  engine: QuizEngine;
  presenter: QuizPresenter;
  poster: QuizChannelPoster;
  queue: QuizChannelQueue;
  log: Logger;
  /** Pause between a reveal and the next question; null waits for Next (said in the restart note). */
  revealPauseMs: number | null;
  /** Which engine rooms are Discord channels of this bot. */
  ownsRoom: (roomId: string) => boolean;
}

/** What recovery did to one channel's session. */
interface RoomRecovery {
  view?: SessionView;
  revealed?: RecoveryReport['revealed'][number];
  ended?: RecoveryReport['ended'][number];
}

const SYSTEM: Actor = { kind: 'system' };

/**
 * Shows in each channel what the engine's recovery did while this process was not running it: after a
 * restart (`engine.recover()` at start-up) or when this process took a session over from one that stopped
 * (the engine's 'recovered' event). Rounds revealed or sessions ended get a note saying why; open rounds
 * go on on their existing message, found through the presenter's stored record (the engine re-armed their
 * deadlines).
 */
export class QuizResume {
  private readonly engine: QuizEngine;
  private readonly presenter: QuizPresenter;
  private readonly poster: QuizChannelPoster;
  private readonly queue: QuizChannelQueue;
  private readonly log: Logger;
  private readonly revealPauseMs: number | null;
  private readonly ownsRoom: (roomId: string) => boolean;

  constructor(options: QuizResumeOptions) {
    this.engine = options.engine;
    this.presenter = options.presenter;
    this.poster = options.poster;
    this.queue = options.queue;
    this.log = options.log;
    this.revealPauseMs = options.revealPauseMs;
    this.ownsRoom = options.ownsRoom;
  }

  /**
   * Shows in each channel what `engine.recover()` did while the bot was down: rounds revealed or sessions
   * ended with a note saying why; open rounds resumed on their existing message (the engine re-armed their
   * deadlines).
   * Queued before the client connects, so host buttons pressed early wait for it.
   */
  resume(report: RecoveryReport): Promise<void> {
    const rooms = new Map<string, RoomRecovery>();
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
      this.queue
        .inChannel(roomId, () => this.resumeRoom(roomId, found))
        .catch((err: unknown) =>
          this.log.error({ err: loggableError(err), channelId: roomId }, 'could not resume a quiz channel'),
        ),
    );
    return Promise.all(tasks).then(() => undefined);
  }

  private async resumeRoom(channelId: string, found: RoomRecovery): Promise<void> {
    const record = await this.presenter.storedRound(channelId);
    const view = found.view ?? null;
    const round = view?.round ?? null;
    // The round the stored message belongs to, rebuilt when the engine still runs it.
    if (view !== null && round !== null) {
      this.presenter.restoreRound(channelId, round, record);
    } else if (record !== undefined && record.messageId !== null) {
      // The session has ended: close the old round message.
      const revealed = found.revealed?.reveal;
      const ours = revealed?.sessionId === record.sessionId && revealed.round === record.round;
      await this.poster.edit(channelId, record.messageId, {
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
      await this.presenter.showReveal(channelId, reveal, {
        controls: found.ended === undefined,
        note: `🔄 ${discordRecoveryNote(note)}`,
        ...(numbering ? { numbering } : {}),
      });
    }
    if (found.ended) {
      await this.presenter.showSummary(
        channelId,
        found.ended.summary,
        `🔄 ${discordRecoveryNote(found.ended.note)}`,
      );
      return;
    }
    if (view === null || round === null) return;
    const state = this.presenter.displayed(channelId);
    if (state === undefined) return;
    switch (round.state) {
      case 'open': {
        if (state.messageId === null) {
          this.presenter.forgetChannel(channelId);
          await this.presenter.showRound(channelId, round);
        } else {
          await this.presenter.refreshOpenRound(channelId, state);
        }
        await this.poster.send(channelId, {
          content: `🔄 I restarted. Question ${round.number} is still open; answers given before the restart are kept. Time's up ${time(Math.floor(round.deadline / 1000), TimestampStyles.RelativeTime)}.`,
        });
        return;
      }
      case 'revealed': {
        if (!state.revealShown) {
          await this.presenter.closeRoundMessage(channelId, state, 'revealed');
          const reveal = await this.engine.roundReveal(view.sessionId, round.round);
          await this.presenter.showReveal(channelId, reveal, {
            controls: true,
            note: '🔄 I restarted after this question closed; here are its results.',
          });
        } else if (!found.revealed) {
          this.presenter.adoptShownReveal(state);
          await this.poster.send(channelId, {
            content:
              this.revealPauseMs === null
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
