import pLimit, { type LimitFunction } from 'p-limit';
import type { PairSet } from '../dataset/model.js';
import { isUserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../quiz/clock.js';
import { systemClock } from '../quiz/clock.js';
import type { QuizEngine, QuizLimits, SessionView } from '../quiz/engine.js';
import { DEFAULT_LIMITS } from '../quiz/engine.js';
import type { QuizEvent } from '../quiz/events.js';
import type { OfferedModel } from '../quiz/model-answers.js';
import type { RoundReveal } from '../quiz/reveal.js';
import type { SessionSummary } from '../quiz/summary.js';
import type { Collection, Store } from '../store/types.js';
import { DEFAULT_ADMISSION, roomIsFull } from './admission.js';
import type { ImageLinks } from './image-links.js';
import { DEMO_LABEL } from './pages.js';
import type {
  Choices,
  ClientMessage,
  HostCommand,
  PlayerView,
  QuestionView,
  RevealView,
  RoomInfo,
  RoomState,
  ServerMessage,
  SummaryView,
} from './protocol.js';
import { clientMessageSchema } from './protocol.js';
import { webRefusal, webStepFailure } from './quiz-wording.js';
import {
  codeOfRoomId,
  createRoom,
  engineRoomId,
  hostUserId,
  isWebRoomId,
  keyMatches,
  playerUserId,
  primaryRoom,
  type WebRoom,
  webRooms,
} from './rooms.js';
import {
  playerResult,
  playerScore,
  questionView,
  revealedQuestion,
  revealView,
  summaryView,
} from './views.js';

/** A browser connection, whatever carries it (a WebSocket in the server, a stub in unit tests). */
export interface Connection {
  /** Sends one message; a string is sent as it is (already serialised JSON). */
  send(message: ServerMessage | string): void;
  close(code: number, reason: string): void;
}

export interface ConnectionHandler {
  message(text: string): Promise<void>;
  closed(): void;
}

export interface QuizRoomsOptions {
  engine: QuizEngine;
  store: Store;
  set: PairSet;
  log: Logger;
  images: ImageLinks;
  models: readonly OfferedModel[];
  /** Shown on every page, e.g. why the demo set is in use. */
  banner: string | null;
  /** Shown on the host view: how many pairs are playable and why (a partial download). */
  setNote?: string | null;
  /** Absolute join link of a room code (uses PUBLIC_URL when set). */
  joinUrl(code: string): string;
  clock?: Clock;
  limits?: Partial<QuizLimits>;
  /** How often the live answer counter is sent at most (ms). */
  countIntervalMs?: number;
  /** Distinct participants one room holds at most (admission.ts); default 2000. */
  maxParticipantsPerRoom?: number;
}

interface PlayerConn {
  userId: string;
  name: string;
}

interface LiveRoom {
  record: WebRoom;
  roomId: string;
  hosts: Set<Connection>;
  players: Map<Connection, PlayerConn>;
  /** Serialises host commands and state broadcasts so everyone sees the room's changes in order. */
  lock: LimitFunction;
  countTimer: NodeJS.Timeout | null;
  notices: string[];
  question: { key: string; view: QuestionView } | null;
  reveal: { key: string; raw: RoundReveal; view: RevealView } | null;
  /** The latest summary of the current (or last) session, for running scores and the final page. */
  summary: { key: string; value: Promise<{ raw: SessionSummary; view: SummaryView }> } | null;
  /** Answers to the current round by user id; `complete` when this process saw the round open. */
  choices: { key: string; byUser: Map<string, Choices>; complete: boolean };
}

const roundKey = (sessionId: string, round: number) => `${sessionId}#${round}`;

/** Closes connections that never say who they are. */
const HELLO_TIMEOUT_MS = 15_000;

/**
 * The web channel's rooms on top of the shared quiz engine: who is connected where, what each browser may
 * see, and forwarding host commands. The engine drives the sessions (it times rounds); this presenter
 * renders its events for the rooms' browsers. Everything a browser says is validated here; every figure
 * comes from the engine, so the web and Discord show the same numbers.
 */
export class QuizRooms {
  private readonly engine: QuizEngine;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly rooms = new Map<string, LiveRoom>();
  private readonly records: Collection<WebRoom>;
  private readonly info: Omit<RoomInfo, 'code' | 'joinUrl' | 'qrUrl'>;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: QuizRoomsOptions) {
    this.engine = options.engine;
    this.unsubscribe = this.engine.subscribe((event) => this.onEvent(event));
    this.log = options.log.child({ component: 'web' });
    this.clock = options.clock ?? systemClock;
    this.records = webRooms(options.store);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.info = {
      // Participants get the short label; the operator's details stay on the console and the host page.
      banner: options.banner === null ? null : DEMO_LABEL,
      setNote: options.setNote ?? null,
      setName: options.set.name,
      categories: options.set.categories,
      models: options.models.map((m) => ({ id: m.id, note: m.note })),
      limits: {
        maxRounds: Math.min(limits.maxRounds, options.set.pairs.length),
        minSeconds: limits.minSeconds,
        maxSeconds: limits.maxSeconds,
        maxModels: limits.maxModels,
        defaultSeconds: Math.max(limits.minSeconds, Math.min(30, limits.maxSeconds)),
      },
    };
  }

  /** The room `npm start` prints (made on the first start). */
  init(): Promise<WebRoom> {
    return primaryRoom(this.records, this.clock.now());
  }

  async createRoom(): Promise<WebRoom> {
    const record = await createRoom(this.records, false, this.clock.now());
    this.log.info({ room: record.code }, 'web room created');
    return record;
  }

  /** The rooms made from the home page, for the janitor that expires those nobody hosts (admission.ts). */
  async madeRooms(): Promise<Array<{ code: string; createdAt: number }>> {
    const made: Array<{ code: string; createdAt: number }> = [];
    for await (const [, record] of this.records.entries())
      if (!record.primary) made.push({ code: record.code, createdAt: record.createdAt });
    return made;
  }

  isAttended(code: string): boolean {
    const live = this.rooms.get(code);
    return (live !== undefined && live.hosts.size > 0) || this.engine.session(engineRoomId(code)) !== null;
  }

  async removeRoom(code: string): Promise<void> {
    const live = this.rooms.get(code);
    if (live !== undefined) {
      if (live.countTimer) clearTimeout(live.countTimer);
      for (const conn of [...live.hosts, ...live.players.keys()]) conn.close(4004, 'room expired');
      this.rooms.delete(code);
    }
    await this.records.delete(code);
    this.log.info({ room: code }, 'web room expired: nobody hosted it');
  }

  async roomExists(code: string): Promise<boolean> {
    return this.rooms.has(code) || (await this.records.has(code));
  }

  roomInfo(code: string): RoomInfo {
    return { ...this.info, code, joinUrl: this.options.joinUrl(code), qrUrl: `/api/rooms/${code}/qr.svg` };
  }

  /** A new browser connection; the caller feeds it messages and tells it when the socket closes. */
  connect(conn: Connection): ConnectionHandler {
    let room: LiveRoom | null = null;
    let role: 'host' | 'player' | null = null;
    const helloTimer = setTimeout(() => {
      if (role === null) conn.close(4000, 'no hello');
    }, HELLO_TIMEOUT_MS);
    const leave = () => {
      if (room === null) return;
      room.hosts.delete(conn);
      room.players.delete(conn);
      this.scheduleCount(room);
    };
    return {
      message: async (text) => {
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          conn.send({ type: 'error', code: 'BAD_MESSAGE', message: 'Messages must be JSON.', fatal: false });
          return;
        }
        const parsed = clientMessageSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
          const text = `The server did not understand that (${where}${issue?.message ?? 'invalid message'}).`;
          // A request that carries an id gets its answer as an acknowledgement, so its sender stops waiting.
          const id = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
          conn.send(
            typeof id === 'number' && Number.isSafeInteger(id)
              ? refused(id, 'BAD_MESSAGE', text)
              : { type: 'error', code: 'BAD_MESSAGE', message: text, fatal: false },
          );
          return;
        }
        const message: ClientMessage = parsed.data;
        try {
          if (message.type === 'hello') {
            const joined = await this.hello(conn, message);
            if (joined === null) return;
            leave();
            clearTimeout(helloTimer);
            room = joined.room;
            role = joined.role;
            return;
          }
          if (room === null || role === null) {
            conn.send({ type: 'error', code: 'NO_HELLO', message: 'Join a room first.', fatal: false });
            return;
          }
          if (message.type === 'answer') {
            if (role !== 'player') {
              conn.send(
                refused(message.id, 'NOT_PLAYER', 'Only participants answer; this is the host screen.'),
              );
              return;
            }
            await this.answer(room, conn, message);
            return;
          }
          if (role !== 'host') {
            // The host's key was never shown here, so this is someone trying the controls by hand.
            conn.send(refused(message.id, 'NOT_HOST', 'Only the host can do that.'));
            return;
          }
          await this.command(room, conn, message);
        } catch (err) {
          this.log.error({ err, type: message.type }, 'web message failed');
          const id = 'id' in message ? message.id : null;
          const text = 'Something went wrong on the server; try again.';
          conn.send(
            id === null
              ? { type: 'error', code: 'INTERNAL', message: text, fatal: false }
              : refused(id, 'INTERNAL', text),
          );
        }
      },
      closed: () => {
        clearTimeout(helloTimer);
        leave();
      },
    };
  }

  /** Stops listening to the engine and forgets connections; the engine and store belong to the caller. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const room of this.rooms.values()) {
      if (room.countTimer) clearTimeout(room.countTimer);
      for (const conn of [...room.hosts, ...room.players.keys()]) conn.close(1001, 'server stopping');
    }
    this.rooms.clear();
  }

  /** The room as a viewer without a role sees it (used by tests and the stats page). */
  async snapshot(code: string): Promise<RoomState> {
    const room = await this.load(code);
    if (room === null) throw new Error(`no room ${code}`);
    return this.state(room);
  }

  // ---- joining ----------------------------------------------------------------------------------------

  private async hello(
    conn: Connection,
    message: Extract<ClientMessage, { type: 'hello' }>,
  ): Promise<{ room: LiveRoom; role: 'host' | 'player' } | null> {
    const room = await this.load(message.room);
    if (room === null) {
      conn.send({
        type: 'error',
        code: 'NO_ROOM',
        message: `There is no room ${message.room}. Check the code on the host's screen.`,
        fatal: true,
      });
      return null;
    }
    if (message.role === 'host') {
      if (!keyMatches(room.record, message.key)) {
        conn.send({
          type: 'error',
          code: 'NOT_HOST',
          message: `This host link is not valid for room ${room.record.code}. Use the link printed when the server started.`,
          fatal: true,
        });
        return null;
      }
      room.hosts.add(conn);
      conn.send({ type: 'welcome', role: 'host', room: this.roomInfo(room.record.code) });
      conn.send({ type: 'state', state: await this.state(room) });
      return { room, role: 'host' };
    }
    const player: PlayerConn = { userId: playerUserId(message.player), name: message.name };
    const max = this.options.maxParticipantsPerRoom ?? DEFAULT_ADMISSION.maxParticipantsPerRoom;
    if (roomIsFull(room.players.values(), player.userId, max)) {
      conn.send({
        type: 'error',
        code: 'ROOM_FULL',
        message: `Room ${room.record.code} is full (${max} participants).`,
        fatal: true,
      });
      return null;
    }
    room.players.set(conn, player);
    conn.send({ type: 'welcome', role: 'player', room: this.roomInfo(room.record.code) });
    const state = await this.state(room);
    conn.send({ type: 'state', state });
    conn.send({ type: 'me', me: await this.playerView(room, player, state) });
    this.scheduleCount(room);
    return { room, role: 'player' };
  }

  private async load(code: string): Promise<LiveRoom | null> {
    const known = this.rooms.get(code);
    if (known !== undefined) return known;
    const record = await this.records.get(code);
    return record === undefined ? null : this.live(record);
  }

  private live(record: WebRoom): LiveRoom {
    let room = this.rooms.get(record.code);
    if (room === undefined) {
      room = {
        record,
        roomId: engineRoomId(record.code),
        hosts: new Set(),
        players: new Map(),
        lock: pLimit(1),
        countTimer: null,
        notices: [],
        question: null,
        reveal: null,
        summary: null,
        choices: { key: '', byUser: new Map(), complete: false },
      };
      this.rooms.set(record.code, room);
    }
    return room;
  }

  // ---- answers ----------------------------------------------------------------------------------------

  private async answer(
    room: LiveRoom,
    conn: Connection,
    message: Extract<ClientMessage, { type: 'answer' }>,
  ): Promise<void> {
    const player = room.players.get(conn);
    if (player === undefined) return;
    const outcome = await this.engine.answer({
      roomId: room.roomId,
      userId: player.userId,
      displayName: player.name,
      slot: message.slot,
      option: message.option,
      sessionId: message.sessionId,
      round: message.round,
    });
    if (!outcome.ok) {
      conn.send(
        outcome.choices === undefined
          ? refused(message.id, outcome.code, outcome.message)
          : { ...refused(message.id, outcome.code, outcome.message), choices: outcome.choices },
      );
      return;
    }
    const key = roundKey(message.sessionId, outcome.round);
    if (room.choices.key !== key) room.choices = { key, byUser: new Map(), complete: false };
    room.choices.byUser.set(player.userId, outcome.choices);
    conn.send({ type: 'ack', id: message.id, ok: true, choices: outcome.choices, locked: outcome.locked });
    // The same person's other tabs follow along.
    for (const [other, p] of room.players) {
      if (other !== conn && p.userId === player.userId) {
        other.send({ type: 'me', me: await this.playerView(room, p, await this.state(room)) });
      }
    }
    this.scheduleCount(room);
  }

  /** The live counter goes out at most every `countIntervalMs`, however fast answers arrive. */
  private scheduleCount(room: LiveRoom): void {
    if (room.countTimer !== null || this.closed) return;
    room.countTimer = setTimeout(() => {
      room.countTimer = null;
      const session = this.engine.session(room.roomId);
      const text = JSON.stringify({
        type: 'count',
        round: session?.round?.round ?? 0,
        answered: this.engine.answeredCount(room.roomId),
        connected: connectedPeople(room),
      } satisfies ServerMessage);
      for (const conn of [...room.hosts, ...room.players.keys()]) conn.send(text);
    }, this.options.countIntervalMs ?? 250);
  }

  // ---- host commands ----------------------------------------------------------------------------------

  /**
   * Forwards a host command to the engine and acknowledges it. What changed reaches every screen through
   * the engine's events (`onEvent`), queued behind this command on the room's lock.
   */
  private command(room: LiveRoom, conn: Connection, message: HostCommand): Promise<void> {
    return room.lock(async () => {
      // The host key was checked at hello: every command on this connection is the host's.
      const actor = { kind: 'member', userId: hostUserId(room.record.code), holdsHostKey: true } as const;
      try {
        switch (message.type) {
          case 'start': {
            room.notices = [];
            const started = await this.engine.start({
              roomId: room.roomId,
              guildId: null,
              hostUserId: hostUserId(room.record.code),
              category: message.category,
              rounds: message.rounds,
              secondsPerRound: message.seconds,
              models: message.models,
              allowChanges: message.allowChanges,
              // The host moves on with Next: a projector room has a presenter at the controls.
              revealPauseMs: null,
            });
            room.record = { ...room.record, lastSessionId: started.session.sessionId };
            await this.records.set(room.record.code, room.record);
            room.notices = started.notices;
            room.summary = null;
            this.log.info(
              { room: room.record.code, sessionId: started.session.sessionId },
              'web quiz started',
            );
            break;
          }
          case 'reveal':
            await this.engine.reveal(room.roomId, actor, message);
            break;
          case 'next':
            await this.engine.next(room.roomId, actor, message);
            break;
          case 'skip':
            await this.engine.skip(room.roomId, actor, message);
            break;
          case 'stop':
            await this.engine.stop(room.roomId, actor, message);
            break;
        }
      } catch (err) {
        if (!isUserFacingError(err)) throw err;
        const refusal = webRefusal(err);
        conn.send(refused(message.id, refusal.code, refusal.message));
        return;
      }
      if (message.type !== 'start') room.notices = [];
      conn.send({ type: 'ack', id: message.id, ok: true });
    });
  }

  // ---- the engine's events ----------------------------------------------------------------------------

  /** Renders what the engine did in a web room (whoever caused it) for everyone in that room. */
  private onEvent(event: QuizEvent): void {
    if (this.closed || !isWebRoomId(event.roomId)) return;
    // A room nobody has opened since the start loads its state from the engine when someone does.
    const room = this.rooms.get(codeOfRoomId(event.roomId));
    if (room === undefined) return;
    if (event.type === 'count-changed') {
      this.scheduleCount(room);
      return;
    }
    // The room's memory follows at once (an acknowledged Stop has already forgotten its image links);
    // the screens are updated in order behind whatever the room's lock is running.
    switch (event.type) {
      case 'round-opened': {
        // Every answer to a round this process opened goes through answer(), so absent means unanswered.
        const key = roundKey(event.round.sessionId, event.round.round);
        if (room.choices.key !== key) room.choices = { key, byUser: new Map(), complete: true };
        else room.choices.complete = true;
        room.summary = null;
        break;
      }
      case 'revealed':
        this.remember(room, event.reveal);
        break;
      case 'closed':
        room.summary = null;
        break;
      case 'ended':
        this.finished(room, event.summary, event.summary.sessionId);
        break;
      case 'failed': {
        const text = JSON.stringify({
          type: 'error',
          code: 'STEP_FAILED',
          message: webStepFailure(event.step),
          fatal: false,
        } satisfies ServerMessage);
        for (const conn of room.hosts) conn.send(text);
        return;
      }
    }
    room
      .lock(() => this.broadcast(room))
      .catch((err: unknown) =>
        this.log.error({ err, room: room.record.code, event: event.type }, 'web room update failed'),
      );
  }

  private remember(room: LiveRoom, reveal: RoundReveal): void {
    const key = roundKey(reveal.sessionId, reveal.round);
    if (room.reveal?.key !== key) room.reveal = { key, raw: reveal, view: revealView(reveal) };
    // Running scores are recomputed from the store at the next broadcast.
    room.summary = null;
  }

  private finished(room: LiveRoom, summary: SessionSummary, sessionId: string | undefined): void {
    room.summary = {
      key: `final:${summary.sessionId}`,
      value: Promise.resolve({ raw: summary, view: summaryView(summary) }),
    };
    if (sessionId !== undefined) this.options.images.forgetSession(sessionId);
  }

  // ---- what browsers see ------------------------------------------------------------------------------

  /** Sends the room's state to everyone in it, and each participant their own view. */
  private async broadcast(room: LiveRoom): Promise<void> {
    const state = await this.state(room);
    const text = JSON.stringify({ type: 'state', state } satisfies ServerMessage);
    for (const conn of room.hosts) conn.send(text);
    for (const [conn, player] of room.players) {
      conn.send(text);
      conn.send({ type: 'me', me: await this.playerView(room, player, state) });
    }
  }

  private async state(room: LiveRoom): Promise<RoomState> {
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

  private async question(room: LiveRoom, session: SessionView): Promise<QuestionView> {
    const round = session.round;
    if (round === null) throw new Error('question() needs a round');
    const key = roundKey(round.sessionId, round.round);
    if (room.question?.key !== key) {
      const urls = await this.options.images.urlsFor(round.sessionId, round.round, round.pair);
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

  private async playerView(room: LiveRoom, player: PlayerConn, state: RoomState): Promise<PlayerView> {
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

function refused(
  id: number,
  code: string,
  message: string,
): Extract<ServerMessage, { type: 'ack'; ok: false }> {
  return { type: 'ack', id, ok: false, code, message };
}

function connectedPeople(room: LiveRoom): number {
  return new Set([...room.players.values()].map((p) => p.userId)).size;
}
