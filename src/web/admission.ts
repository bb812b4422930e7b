import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Logger } from '../logger.js';
import { type Clock, type Scheduler, systemClock, systemScheduler } from '../quiz/clock.js';

/**
 * Who may come in to the web quiz, and how fast: one client must not be able to fill a room with thousands
 * of sockets (each joined socket's answers count in the tallies and statistics), nor use up the rooms
 * everyone can make. Rates are per address; rooms nobody hosts expire so their places come back.
 */
export interface AdmissionSettings {
  /** Distinct participants connected to one room at most; the next one is refused with ROOM_FULL. */
  maxParticipantsPerRoom: number;
  /** WebSocket connections (each is one join) one address may open per minute. */
  joinsPerMinute: number;
  /** Rooms one address may make per hour (POST /api/rooms). */
  roomsPerHour: number;
  /** A room made from the home page expires after this long with no host connected and no quiz running. */
  idleRoomMs: number;
}

export const DEFAULT_ADMISSION: AdmissionSettings = {
  maxParticipantsPerRoom: 2000,
  joinsPerMinute: 120,
  roomsPerHour: 10,
  idleRoomMs: 2 * 60 * 60 * 1000,
};

/** The refusal a rate-limited request gets: 429, naming the limit. */
class RateLimited extends Error {
  readonly statusCode = 429;
  readonly code = 'RATE_LIMITED';
}

/** Route options that rate-limit one route per address (`config` of a fastify route). */
export interface RateLimitRoutes {
  joins: { config: { rateLimit: { max: number; timeWindow: number } } };
  rooms: { config: { rateLimit: { max: number; timeWindow: number } } };
}

/**
 * Options of @fastify/rate-limit for the routes that opt in with `rateLimitRoutes` (nothing else is limited:
 * pages, images and scripts are cheap, and a classroom shares one address behind its NAT, hence the
 * generous join rate). The refusal is a 429 naming the limit.
 */
export function rateLimitOptions(log: Logger): RateLimitPluginOptions {
  return {
    global: false,
    errorResponseBuilder: (request, context) => {
      const rooms = request.method === 'POST';
      log.warn({ ip: request.ip, url: request.url, limit: context.max }, 'rate limit reached');
      return new RateLimited(
        `Too many ${rooms ? 'new rooms' : 'joins'} from your address: at most ${context.max} ${rooms ? 'per hour' : 'per minute'}. Try again in ${context.after}.`,
      );
    },
  };
}

export function rateLimitRoutes(settings: AdmissionSettings): RateLimitRoutes {
  return {
    joins: { config: { rateLimit: { max: settings.joinsPerMinute, timeWindow: 60_000 } } },
    rooms: { config: { rateLimit: { max: settings.roomsPerHour, timeWindow: 60 * 60_000 } } },
  };
}

/** True when `userId` may not join: the room holds `max` other participants already. */
export function roomIsFull(participants: Iterable<{ userId: string }>, userId: string, max: number): boolean {
  const present = new Set<string>();
  for (const p of participants) present.add(p.userId);
  return !present.has(userId) && present.size >= max;
}

/** What the janitor needs from the rooms. */
export interface ExpirableRooms {
  /** Codes of the rooms made from the home page (the primary room never expires). */
  madeRooms(): Promise<Array<{ code: string; createdAt: number }>>;
  /** A host is connected or a quiz runs there. */
  isAttended(code: string): boolean;
  /** Deletes the room and disconnects whoever is still in it. */
  removeRoom(code: string): Promise<void>;
}

/**
 * Expires rooms nobody hosts: a made room left unattended (no host connected, no quiz running) for
 * `idleRoomMs`, counted from its creation or from the last sweep that found it attended, is deleted.
 * After a restart the count starts from the room's creation.
 */
export class RoomJanitor {
  private readonly lastAttended = new Map<string, number>();
  private timer: { cancel(): void } | null = null;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;

  constructor(
    private readonly rooms: ExpirableRooms,
    private readonly idleRoomMs: number,
    private readonly log: Logger,
    options: { clock?: Clock; scheduler?: Scheduler; onExpired?: (count: number) => void } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.onExpired = options.onExpired ?? (() => undefined);
  }

  private readonly onExpired: (count: number) => void;

  /** Sweeps every `intervalMs` until stopped. */
  start(intervalMs = Math.min(60_000, this.idleRoomMs)): void {
    const tick = () => {
      this.timer = this.scheduler.schedule(() => {
        this.sweep()
          .catch((err: unknown) => this.log.error({ err }, 'expiring idle web rooms failed'))
          .finally(() => {
            if (this.timer !== null) tick();
          });
      }, intervalMs);
    };
    tick();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Deletes the rooms idle for long enough; returns their codes. */
  async sweep(): Promise<string[]> {
    const now = this.clock.now();
    const expired: string[] = [];
    const seen = new Set<string>();
    for (const { code, createdAt } of await this.rooms.madeRooms()) {
      seen.add(code);
      if (this.rooms.isAttended(code)) {
        this.lastAttended.set(code, now);
        continue;
      }
      const since = Math.max(createdAt, this.lastAttended.get(code) ?? createdAt);
      if (now - since < this.idleRoomMs) continue;
      await this.rooms.removeRoom(code);
      this.lastAttended.delete(code);
      expired.push(code);
    }
    for (const code of this.lastAttended.keys()) if (!seen.has(code)) this.lastAttended.delete(code);
    if (expired.length > 0) {
      this.log.info({ rooms: expired.length }, 'idle web rooms expired');
      this.onExpired(expired.length);
    }
    return expired;
  }
}
