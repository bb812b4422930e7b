import type { Logger } from '../logger.js';
import { groupAnswers } from './answers.js';
import type { Clock, Scheduler } from './clock.js';
import type { QuizEvents } from './events.js';
import { type LiveRooms, type Room, roundNumber, sessionView } from './live-rooms.js';
import type { SessionLeases } from './session-leases.js';
import type { QuizLimits } from './session-settings.js';
import type { SessionTransitions } from './session-transitions.js';
import { collect, type QuizCollections, roundPrefix } from './store-layout.js';
import type { RecoveryReport } from './views.js';

export interface SessionRecoveryOptions {
  rooms: LiveRooms;
  db: QuizCollections;
  leases: SessionLeases;
  transitions: SessionTransitions;
  events: QuizEvents;
  log: Logger;
  clock: Clock;
  scheduler: Scheduler;
  limits: QuizLimits;
  /**
   * The rooms this engine recovers and takes over: with several processes on one store, each covers its
   * own share.
   */
  scope: (room: { roomId: string; guildId: string | null }) => boolean;
}

/**
 * Picks up sessions nobody is driving: at start-up, the ones a stopped process left (`recover`), and while
 * running, the ones in scope whose owner stopped renewing their leases (the lease keeper, which also renews
 * this process's own leases and drops a session another process has taken). A recovered session is taken
 * through the session transitions like any other change, under its room's lock; the lease bookkeeping
 * itself is session-leases.ts. At shutdown it gives every lease up so the next process takes over at once.
 */
export class SessionRecovery {
  private readonly rooms: LiveRooms;
  private readonly db: QuizCollections;
  private readonly leases: SessionLeases;
  private readonly transitions: SessionTransitions;
  private readonly events: QuizEvents;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly limits: QuizLimits;
  private readonly scope: (room: { roomId: string; guildId: string | null }) => boolean;
  /** The lease keeper's next run (renewals, and takeovers of sessions whose owner stopped). */
  private keeper: { cancel(): void } | null = null;
  private keeperStarted = false;
  private keeping: Promise<void> | null = null;

  constructor(options: SessionRecoveryOptions) {
    this.rooms = options.rooms;
    this.db = options.db;
    this.leases = options.leases;
    this.transitions = options.transitions;
    this.events = options.events;
    this.log = options.log;
    this.clock = options.clock;
    this.scheduler = options.scheduler;
    this.limits = options.limits;
    this.scope = options.scope;
  }

  /**
   * Reloads the sessions that were running when the process stopped. Rounds still within their time are
   * resumed (answers given before are reloaded and live models asked again); rounds whose time ran out are
   * revealed with every stored answer; sessions left longer than `staleAfterMs` are ended with a summary.
   * Call once at start-up, before the front end accepts clicks.
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { resumed: [], revealed: [], ended: [] };
    for await (const [roomId, pointer] of this.db.rooms.entries()) {
      await this.recoverRoom(roomId, pointer.sessionId, report);
    }
    this.keepLeases();
    if (report.resumed.length + report.revealed.length + report.ended.length > 0) {
      this.log.info(
        { resumed: report.resumed.length, revealed: report.revealed.length, ended: report.ended.length },
        'quiz sessions recovered',
      );
    }
    return report;
  }

  /**
   * Recovers one room's session into this engine, when the room is in its scope and the session's lease
   * can be taken (nobody holds it, or its holder stopped renewing it); false when it is left alone.
   */
  private recoverRoom(roomId: string, sessionId: string, report: RecoveryReport): Promise<boolean> {
    const t = this.transitions;
    return t.drive(roomId, async () => {
      if (this.rooms.has(roomId) || this.rooms.closed) return false;
      const seen = await this.db.sessions.get(sessionId);
      if (seen === undefined || seen.status === 'ended') {
        // A session still being created by another process has its lease already: leave its room be.
        if ((await this.leases.heldElsewhere(sessionId)) !== null) return false;
        await this.db.rooms.delete(roomId);
        return false;
      }
      if (!this.scope({ roomId, guildId: seen.guildId })) return false;
      // A read settles the common case, another process alive and holding it, without a claim (a locked
      // write) at every round of the lease keeper; the claim below stays the one that decides.
      if ((await this.leases.heldElsewhere(sessionId)) !== null) return false;
      if (!(await this.leases.claim(sessionId)).ok) return false;
      // Read again under the lease: the previous owner may have written it since.
      const session = (await this.db.sessions.get(sessionId)) ?? seen;
      const room: Room = { session, live: null };
      this.rooms.set(roomId, room);
      const current = session.rounds.at(-1);
      if (current === undefined) {
        report.ended.push({
          summary: await t.end(room, 'expired'),
          note: { code: 'ENDED_WITHOUT_ROUNDS' },
        });
        return true;
      }
      const answers = await collect(this.db.answers.entries(roundPrefix(session.id, current.index)));
      t.openLive(room, groupAnswers(answers).get(current.index) ?? new Map());
      const now = this.clock.now();
      const number = roundNumber(session, current.index);
      const expired = current.state === 'open' && current.deadline <= now;
      // How long the room has been waiting on nobody: since the round's end (or its deadline if missed).
      const idleSince =
        current.state === 'open'
          ? expired
            ? current.deadline
            : null
          : (current.closedAt ?? current.deadline);
      if (expired) {
        const { reveal } = await t.revealCurrent(room, 'recovery');
        report.revealed.push({
          reveal,
          note: { code: 'REVEALED_AFTER_RESTART', number },
        });
      }
      if (idleSince !== null && now - idleSince > this.limits.staleAfterMs) {
        report.ended.push({
          summary: await t.end(room, 'expired'),
          note: { code: 'ENDED_AFTER_DOWNTIME', number },
        });
      } else {
        report.resumed.push(sessionView(room));
        // A recovered reveal's pause starts now, so every front end has shown it before the quiz moves on.
        t.schedule(room, now);
      }
      return true;
    });
  }

  // ---- leases ---------------------------------------------------------------------------------------

  /**
   * Starts, once, the keeper of this engine's leases: every third of a lease's time it renews the leases
   * held (a session whose lease another process has taken is dropped) and, on a shared store, takes over
   * the sessions in scope whose owner stopped renewing theirs, announcing each as a `recovered` event.
   */
  keepLeases(): void {
    // On a store this process has to itself (SQLite) every lease is its own whatever its expiry, and
    // nobody else can have left a session behind: nothing to keep.
    if (this.keeperStarted || this.rooms.closed || this.leases.settings.exclusive) return;
    this.keeperStarted = true;
    const interval = Math.max(1, Math.floor(this.leases.settings.ttlMs / 3));
    const tick = () => {
      this.keeper = null;
      if (this.rooms.closed) return;
      const task = this.keepOnce()
        .catch((err: unknown) => this.log.error({ err }, 'keeping quiz session leases failed'))
        .finally(() => {
          this.keeping = null;
          if (!this.rooms.closed) this.keeper = this.scheduler.schedule(tick, interval);
        });
      this.keeping = task;
      this.rooms.track(task);
    };
    this.keeper = this.scheduler.schedule(tick, interval);
  }

  private async keepOnce(): Promise<void> {
    for (const sessionId of await this.leases.renewAll()) {
      const room = this.rooms.ofSession(sessionId);
      if (room !== undefined) this.transitions.lose(room);
    }
    for await (const [roomId, pointer] of this.db.rooms.entries()) {
      if (this.rooms.closed) return;
      if (this.rooms.has(roomId)) continue;
      const report: RecoveryReport = { resumed: [], revealed: [], ended: [] };
      if (!(await this.recoverRoom(roomId, pointer.sessionId, report))) continue;
      this.log.info(
        { roomId, sessionId: pointer.sessionId, owner: this.leases.owner },
        'took over a quiz session whose process stopped renewing its lease',
      );
      this.events.emit({ type: 'recovered', roomId, report });
    }
  }

  /**
   * Whether a room with no session in this engine has one that another live process runs; front ends
   * then stay silent there, since that process answers (several processes may receive the same event).
   */
  async runsElsewhere(roomId: string): Promise<boolean> {
    if (this.rooms.has(roomId)) return false;
    const pointer = await this.db.rooms.get(roomId);
    return pointer !== undefined && (await this.leases.heldElsewhere(pointer.sessionId)) !== null;
  }

  /** Cancels the keeper's next run (the engine is closing); a run under way finishes by itself. */
  stopKeeping(): void {
    this.keeper?.cancel();
    this.keeper = null;
  }

  /**
   * After the engine is closed: waits for the keeper's run and the other work under way, then gives up every
   * lease, so that another process (the next one of a rolling update, or the respawned shard) takes the
   * sessions over at once.
   */
  async handOver(): Promise<void> {
    await this.keeping;
    await this.rooms.drained();
    await Promise.all(
      this.leases
        .heldSessions()
        .map((sessionId) =>
          this.leases
            .release(sessionId)
            .catch((err: unknown) => this.log.warn({ err, sessionId }, 'could not release a quiz lease')),
        ),
    );
  }
}
