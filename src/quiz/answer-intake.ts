import pLimit from 'p-limit';
import type { ImageSlot, Option } from '../dataset/model.js';
import { OPTIONS } from '../dataset/model.js';
import { type Click, chosenOf, isComplete, type PersonRound } from './answers.js';
import type { Clock } from './clock.js';
import type { QuizEvents } from './events.js';
import type { LiveRooms, LiveRound, Room } from './live-rooms.js';
import type { PersonIndex } from './person-index.js';
import { type QuizRefusal, refusal } from './quiz-errors.js';
import type { AnswerRecord } from './records.js';
import { answerKey, type QuizCollections } from './store-layout.js';

export interface AnswerInput {
  roomId: string;
  userId: string;
  displayName: string;
  slot: number;
  option: string;
  /** The session and round the clicked button belongs to; a click on an older question is then late. */
  sessionId?: string;
  round?: number;
}

export interface AnswerAccepted {
  ok: true;
  round: number;
  /** What the person has chosen so far, image 1 and image 2. */
  choices: [Option | null, Option | null];
  /** Both images are answered. */
  complete: boolean;
  /** False when the click repeated the answer already recorded. */
  changed: boolean;
  /** True when the answers can no longer change (both given, changes not allowed). */
  locked: boolean;
  responseMs: number;
  /** People who have answered both images, for the live counter. */
  answeredCount: number;
}

export type AnswerOutcome = AnswerAccepted | (QuizRefusal & { choices?: [Option | null, Option | null] });

export interface AnswerIntakeOptions {
  rooms: LiveRooms;
  db: QuizCollections;
  personIndex: PersonIndex;
  clock: Clock;
  events: QuizEvents;
}

/**
 * Takes in people's clicks on the open round of a room. Admission (is the round still open, is the button
 * for the current question) is decided synchronously when the click arrives, and an admitted click is
 * tracked in the round's `inflight` set until its write finishes, so a reveal that starts later waits for
 * it. Clicks of one person run one after another (a per-person queue); clicks of different people run
 * concurrently and write different keys. Each click is durable in the store before it is acknowledged,
 * and a person completing both images is announced as a `count-changed` event.
 *
 * Answer intake never moves a session on; it runs beside the room's transitions, not inside them.
 */
export class AnswerIntake {
  private readonly rooms: LiveRooms;
  private readonly db: QuizCollections;
  private readonly personIndex: PersonIndex;
  private readonly clock: Clock;
  private readonly events: QuizEvents;

  constructor(options: AnswerIntakeOptions) {
    this.rooms = options.rooms;
    this.db = options.db;
    this.personIndex = options.personIndex;
    this.clock = options.clock;
    this.events = options.events;
  }

  /**
   * Records one click. Resolves only after the click is durable in the store (or with a refusal). Clicks of
   * one person are handled one after another; clicks of different people run concurrently and write
   * different keys, so none is lost however many arrive at once.
   */
  answer(input: AnswerInput): Promise<AnswerOutcome> {
    // Admission is decided synchronously, so a reveal that starts later sees this click in `inflight`.
    const slot = input.slot;
    const option = input.option;
    if ((slot !== 0 && slot !== 1) || !(OPTIONS as readonly string[]).includes(option)) {
      return Promise.resolve(refusal('INVALID_OPTION', 'Pick A or B for image 1 or image 2.'));
    }
    const room = this.rooms.get(input.roomId);
    if (room === undefined) {
      return Promise.resolve(refusal('NO_SESSION', 'There is no quiz running here right now.'));
    }
    const live = room.live;
    const now = this.clock.now();
    const staleButton =
      (input.sessionId !== undefined && input.sessionId !== room.session.id) ||
      (input.round !== undefined && live !== null && input.round !== live.record.index);
    if (staleButton) {
      return Promise.resolve(
        refusal('ROUND_CLOSED', 'That question is over; answer the current one instead.'),
      );
    }
    if (live === null || live.closing || live.record.state !== 'open' || now >= live.record.deadline) {
      return Promise.resolve(
        refusal('ROUND_CLOSED', "Time's up for this question, so answers are no longer accepted."),
      );
    }
    let queue = live.userQueues.get(input.userId);
    if (queue === undefined) {
      queue = pLimit(1);
      live.userQueues.set(input.userId, queue);
    }
    const task = queue(() => this.recordAnswer(room, live, input, slot, option as Option, now));
    live.inflight.add(task);
    void task.finally(() => live.inflight.delete(task)).catch(() => undefined);
    return task;
  }

  /**
   * Forget-me within an open round: once a click of theirs that is being written has finished (so it is
   * dropped too), the person's clicks leave the round, so a later reveal does not count them. With
   * `madeBy`, only the clicks made at or before that time go (a deletion another process made, read from
   * its notice: a click after it is a new answer, stored after the deletion). Runs inside the room's
   * transition; true when a click was dropped.
   */
  async forget(
    room: Room,
    live: LiveRound,
    userId: string,
    madeBy: number = Number.POSITIVE_INFINITY,
  ): Promise<boolean> {
    await live.userQueues.get(userId)?.(async () => undefined);
    const person = live.people.get(userId);
    if (person === undefined) return false;
    const keep = (click: Click | null) => (click !== null && click.at > madeBy ? click : null);
    const kept: PersonRound = { ...person, clicks: [keep(person.clicks[0]), keep(person.clicks[1])] };
    if (kept.clicks[0] === person.clicks[0] && kept.clicks[1] === person.clicks[1]) return false;
    if (kept.clicks[0] === null && kept.clicks[1] === null) live.people.delete(userId);
    else live.people.set(userId, kept);
    if (isComplete(person)) {
      live.complete--;
      this.counted(room, live);
    }
    return true;
  }

  private async recordAnswer(
    room: Room,
    live: LiveRound,
    input: AnswerInput,
    slot: ImageSlot,
    option: Option,
    now: number,
  ): Promise<AnswerOutcome> {
    const { settings } = room.session;
    const before = live.people.get(input.userId);
    const clicks = before?.clicks ?? [null, null];
    const wasComplete = before !== undefined && isComplete(before);
    const choices = (): [Option | null, Option | null] => [
      clicks[0]?.option ?? null,
      clicks[1]?.option ?? null,
    ];
    if (wasComplete && !settings.allowChanges) {
      const [a, b] = choices();
      return {
        ...refusal(
          'ANSWER_LOCKED',
          `Your answers are locked in (image 1: ${a}, image 2: ${b}); this quiz does not allow changes.`,
        ),
        choices: [a, b],
      };
    }
    const responseMs = Math.max(0, now - live.record.startedAt);
    const previous = clicks[slot];
    if (previous?.option === option) {
      return this.accepted(live, room, choices(), wasComplete, false, previous.responseMs);
    }
    const record: AnswerRecord = {
      sessionId: room.session.id,
      roomId: room.session.roomId,
      guildId: room.session.guildId,
      round: live.record.index,
      pairId: live.pair.id,
      userId: input.userId,
      displayName: input.displayName,
      slot,
      option,
      at: now,
      responseMs,
      changes: previous === null ? 0 : previous.changes + 1,
    };
    // A person's first click of the round also adds them to the per-person index, issued first so that it
    // is never committed after the click (see person-index.ts); both share the click's commit.
    const indexed = before === undefined ? this.personIndex.add(record.userId, record.sessionId) : undefined;
    indexed?.catch(() => undefined);
    await this.db.answers.set(answerKey(record.sessionId, record.round, record.userId, slot), record);
    await indexed;

    const person = before ?? { userId: input.userId, displayName: input.displayName, clicks: [null, null] };
    person.displayName = input.displayName;
    person.clicks[slot] = { option, at: now, responseMs, changes: record.changes };
    live.people.set(input.userId, person);
    const complete = isComplete(person);
    if (complete && !wasComplete) {
      live.complete++;
      this.counted(room, live);
    }
    return this.accepted(live, room, chosenOf(person), complete, true, responseMs);
  }

  private accepted(
    live: LiveRound,
    room: Room,
    choices: [Option | null, Option | null],
    complete: boolean,
    changed: boolean,
    responseMs: number,
  ): AnswerAccepted {
    return {
      ok: true,
      round: live.record.index,
      choices,
      complete,
      changed,
      locked: complete && !room.session.settings.allowChanges,
      responseMs,
      answeredCount: live.complete,
    };
  }

  private counted(room: Room, live: LiveRound): void {
    this.events.emit({
      type: 'count-changed',
      roomId: room.session.roomId,
      sessionId: room.session.id,
      round: live.record.index,
      answered: live.complete,
    });
  }
}
