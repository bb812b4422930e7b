import type { Clock } from '../quiz/clock.js';
import type { QuizEngine, SessionView } from '../quiz/engine.js';
import type { RoundReveal } from '../quiz/reveal.js';
import type { ImageLinks } from './image-links.js';
import { connectedPeople, type LiveRoom, type PlayerConn, roundKey } from './live-room.js';
import type { Choices, PlayerView, QuestionView, RoomState } from './protocol.js';
import {
  playerResult,
  playerScore,
  questionView,
  revealedQuestion,
  revealView,
  summaryView,
} from './views.js';

/**
 * What a room's browsers see: the room's state (the same for everyone) and each participant's own view,
 * built from the engine's figures (views.ts) and cached on the room per round, so a broadcast to many
 * browsers computes them once.
 */
export class RoomScreens {
  constructor(
    private readonly engine: QuizEngine,
    private readonly images: ImageLinks,
    private readonly clock: Clock,
  ) {}

  async state(room: LiveRoom): Promise<RoomState> {
    const base = {
      answered: this.engine.answeredCount(room.roomId),
      connected: connectedPeople(room),
      notices: room.notices,
      serverNow: this.clock.now(),
    };
    const session = this.engine.session(room.roomId);
    const round = session?.round;
    if (session !== null && round !== null && round !== undefined) {
      const question = await this.question(room, session);
      if (round.state === 'revealed') {
        const reveal = await this.revealOf(room, round.sessionId, round.round);
        return {
          ...base,
          phase: 'reveal',
          question: revealedQuestion(question, reveal.raw),
          reveal: reveal.view,
          summary: null,
        };
      }
      return { ...base, phase: 'question', question, reveal: null, summary: null };
    }
    const last = room.record.lastSessionId;
    if (last !== null) {
      const summary = await this.summaryOf(room, last, true);
      return { ...base, phase: 'summary', question: null, reveal: null, summary: summary.view };
    }
    return { ...base, phase: 'idle', question: null, reveal: null, summary: null };
  }

  async playerView(room: LiveRoom, player: PlayerConn, state: RoomState): Promise<PlayerView> {
    const question = state.question;
    const sessionId = question?.sessionId ?? room.record.lastSessionId;
    const summary =
      sessionId === null ? null : await this.summaryOf(room, sessionId, state.phase === 'summary');
    const choices =
      question === null ? ([null, null] as Choices) : await this.choicesOf(room, player, question);
    return {
      name: player.name,
      choices,
      locked: question !== null && !question.allowChanges && choices[0] !== null && choices[1] !== null,
      result: state.phase === 'reveal' && room.reveal ? playerResult(room.reveal.raw, player.userId) : null,
      score: playerScore(summary?.raw ?? null, player.userId),
    };
  }

  /** Keeps a round's reveal on the room, for everyone's screens and each participant's result. */
  remember(room: LiveRoom, reveal: RoundReveal): void {
    const key = roundKey(reveal.sessionId, reveal.round);
    if (room.reveal?.key !== key) room.reveal = { key, raw: reveal, view: revealView(reveal) };
    // Running scores are recomputed from the store at the next broadcast.
    room.summary = null;
  }

  private async question(room: LiveRoom, session: SessionView): Promise<QuestionView> {
    const round = session.round;
    if (round === null) throw new Error('question() needs a round');
    const key = roundKey(round.sessionId, round.round);
    if (room.question?.key !== key) {
      const urls = await this.images.urlsFor(round.sessionId, round.round, round.pair);
      room.question = {
        key,
        view: questionView(round, session.settings.category, session.settings.allowChanges, urls),
      };
    }
    // A round this process did not open (it ran before a restart) may have answers only the store knows.
    if (room.choices.key !== key) room.choices = { key, byUser: new Map(), complete: false };
    return room.question.view;
  }

  private async revealOf(room: LiveRoom, sessionId: string, round: number) {
    const key = roundKey(sessionId, round);
    if (room.reveal?.key !== key) this.remember(room, await this.engine.roundReveal(sessionId, round));
    return room.reveal as NonNullable<LiveRoom['reveal']>;
  }

  private async summaryOf(room: LiveRoom, sessionId: string, final: boolean) {
    const key = `${final ? 'final' : 'running'}:${sessionId}`;
    // Kept as a promise: participants joining at once share one computation instead of one each.
    if (room.summary?.key !== key) {
      const value = this.engine.summary(sessionId).then((raw) => ({ raw, view: summaryView(raw) }));
      const entry = { key, value };
      room.summary = entry;
      value.catch(() => {
        if (room.summary === entry) room.summary = null;
      });
    }
    return room.summary.value;
  }

  /** What a participant answered in the current round: remembered, or read back from the store. */
  private async choicesOf(room: LiveRoom, player: PlayerConn, question: QuestionView): Promise<Choices> {
    const cached = room.choices.byUser.get(player.userId);
    if (cached !== undefined) return cached;
    if (room.choices.complete) return [null, null];
    const choices: Choices = await this.engine.choicesOf(question.sessionId, question.round, player.userId);
    if (room.choices.key === roundKey(question.sessionId, question.round)) {
      room.choices.byUser.set(player.userId, choices);
    }
    return choices;
  }
}
