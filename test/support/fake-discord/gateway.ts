import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type ApplicationFlags,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  type GatewayIdentifyData,
  GatewayIntentBits,
  GatewayOpcodes,
  type GatewayReadyDispatchData,
} from 'discord.js';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { shardOfSnowflake } from './snowflake.js';
import type { FakeGuild, FakeWorld } from './world.js';

/**
 * The fake gateway: Discord's WebSocket protocol (JSON encoding, no compression) as far as a bot that
 * only answers interactions needs it. HELLO on connect, ACK for every heartbeat, IDENTIFY → READY →
 * GUILD_CREATE, RESUME with replay of the events missed while disconnected, then whatever the test
 * dispatches (INTERACTION_CREATE). Every IDENTIFY is recorded so tests can check the intents.
 *
 * Sharding, as Discord's gateway documentation ("Sharding", docs/events/gateway.mdx in
 * discord/discord-api-docs) describes it, checked there:
 * - IDENTIFY may carry `shard: [shard_id, num_shards]`; without it the session is `[0, 1]`. A shard id
 *   outside 0 <= shard_id < num_shards is closed with 4010 Invalid shard; a shard that would hold more
 *   guilds than the per-shard maximum (2,500 on Discord) is closed with 4011 Sharding required.
 * - A guild's events go to the sessions whose `shard_id === (guild_id >> 22) % num_shards`, the formula
 *   worked out per session with that session's own `num_shards`; events without a guild (DMs,
 *   entitlements) go to shard 0 only. READY lists only that shard's guilds, as unavailable, and echoes
 *   the pair in its `shard` field; one GUILD_CREATE per such guild follows.
 * - "You can establish multiple sessions with the same [shard_id, num_shards]": every such session gets
 *   the shard's events, which is what two processes of one bot see during a rolling restart.
 * Assumed, not documented: that Discord sends an event to all those sessions rather than to one of
 *   them (the docs only say they may coexist, to hand traffic over to a new deployment); that a session
 *   closed by its client with 1000 or 1001 stops receiving at once (documented: it can no longer be
 *   resumed); and the fake neither enforces `max_concurrency` nor the daily session start limit.
 */

/** Discord's cap on guilds per shard, past which IDENTIFY is closed with 4011. */
const MAX_GUILDS_PER_SHARD = 2500;

/** Closes a client may send that end its session for good (Discord: the bot then appears offline). */
const SESSION_ENDING_CLOSES = new Set([1000, 1001]);

/** Intents Discord only grants to bots that enabled them in the developer portal. */
const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

const frameSchema = z.object({ op: z.number().int(), d: z.unknown() });
const identifySchema = z.object({
  token: z.string(),
  intents: z.number().int().nonnegative(),
  properties: z.object({ os: z.string(), browser: z.string(), device: z.string() }),
  shard: z.tuple([z.number().int(), z.number().int()]).optional(),
  compress: z.boolean().optional(),
  large_threshold: z.number().int().optional(),
  presence: z.unknown().optional(),
});
const resumeSchema = z.object({
  token: z.string(),
  session_id: z.string(),
  seq: z.number().int().nullable(),
});

interface DispatchFrame {
  op: GatewayOpcodes.Dispatch;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  /** `[shard_id, num_shards]` from IDENTIFY (`[0, 1]` when it sent none). */
  shard: readonly [number, number];
  sequence: number;
  /** Every dispatch of the session, for replay on RESUME. */
  sent: DispatchFrame[];
  socket: WebSocket | null;
}

export interface GatewayOptions {
  server: Server;
  path: string;
  world: FakeWorld;
  token: string;
  heartbeatIntervalMs: number;
  /** Privileged intents this application has been granted (none by default, as for a new bot). */
  grantedPrivilegedIntents: number;
  /** Most guilds one shard may hold before IDENTIFY is refused with 4011 (Discord: 2,500). */
  maxGuildsPerShard?: number;
}

/** What tests may see of a gateway session. */
export interface GatewaySessionInfo {
  id: string;
  shard: readonly [number, number];
  /** Whether its socket is open now (a dropped session may still RESUME and get what it missed). */
  connected: boolean;
}

export interface WaitForSessions {
  /** Count only sessions of this shard id (whatever their `num_shards`). */
  shard?: number;
  /** How many such sessions must be connected (1 by default). */
  sessions?: number;
}

export class FakeGateway {
  readonly identifies: GatewayIdentifyData[] = [];
  readonly resumes: { sessionId: string; seq: number | null }[] = [];
  /** Close codes the fake sent, in order (4004 wrong token, 4014 disallowed intents, …). */
  readonly closeCodes: number[] = [];
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<WebSocket>();
  /** Called whenever a session identifies, resumes, drops or is sent an event. */
  readonly #listeners = new Set<() => void>();
  #everIdentified = false;
  readonly #onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(private readonly options: GatewayOptions) {
    this.#wss = new WebSocketServer({ noServer: true });
    this.#onUpgrade = (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'ws://fake.invalid');
      if (url.pathname !== options.path) {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, url));
    };
    options.server.on('upgrade', this.#onUpgrade);
  }

  /** True once a session has been sent READY and GUILD_CREATE and its socket is open. */
  get connected(): boolean {
    return [...this.#sessions.values()].some((session) => session.socket !== null);
  }

  /** True once some bot has identified (its sessions then receive dispatches, connected or not). */
  get identified(): boolean {
    return this.#everIdentified;
  }

  /** Every live session (identified, not ended by its client), connected or waiting to resume. */
  sessions(): GatewaySessionInfo[] {
    return [...this.#sessions.values()].map(info);
  }

  /** How many sessions of shard `shardId` (any `num_shards`) are connected now. */
  sessionsFor(shardId: number): number {
    return this.#connectedCount(shardId);
  }

  #connectedCount(shardId: number | undefined): number {
    let count = 0;
    for (const session of this.#sessions.values()) {
      if (session.socket !== null && (shardId === undefined || session.shard[0] === shardId)) count += 1;
    }
    return count;
  }

  /**
   * Resolves once enough sessions are ready (at once if they already are): by default one session of
   * any shard; `{ shard: 1 }` one of shard 1; `{ shard: 0, sessions: 2 }` two of shard 0.
   */
  whenConnected(wait: WaitForSessions = {}): Promise<void> {
    const enough = () => this.#connectedCount(wait.shard) >= (wait.sessions ?? 1);
    if (enough()) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.onChange(() => {
        if (!enough()) return;
        stop();
        resolve();
      });
    });
  }

  /** Calls `listener` after every change of the sessions; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #accept(ws: WebSocket, url: URL): void {
    this.#sockets.add(ws);
    ws.on('close', (code) => {
      this.#sockets.delete(ws);
      for (const session of this.#sessions.values()) {
        if (session.socket !== ws) continue;
        session.socket = null;
        if (SESSION_ENDING_CLOSES.has(code)) this.#sessions.delete(session.id);
        this.#changed();
      }
    });
    if (url.searchParams.get('v') !== '10' || url.searchParams.get('encoding') !== 'json') {
      this.#close(ws, GatewayCloseCodes.InvalidAPIVersion, 'The fake gateway speaks v=10, encoding=json');
      return;
    }
    if (url.searchParams.has('compress')) {
      this.#close(ws, GatewayCloseCodes.DecodeError, 'The fake gateway does not compress');
      return;
    }
    this.#send(ws, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } });
    ws.on('message', (data) => this.#onFrame(ws, data.toString()));
  }

  #onFrame(ws: WebSocket, text: string): void {
    let frame: z.infer<typeof frameSchema>;
    try {
      frame = frameSchema.parse(JSON.parse(text));
    } catch {
      this.#close(ws, GatewayCloseCodes.DecodeError, 'Error while decoding payload');
      return;
    }
    switch (frame.op) {
      case GatewayOpcodes.Heartbeat:
        this.#send(ws, { op: GatewayOpcodes.HeartbeatAck });
        return;
      case GatewayOpcodes.Identify:
        this.#identify(ws, frame.d);
        return;
      case GatewayOpcodes.Resume:
        this.#resume(ws, frame.d);
        return;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.RequestGuildMembers:
      case GatewayOpcodes.VoiceStateUpdate:
        return;
      default:
        this.#close(ws, GatewayCloseCodes.UnknownOpcode, 'Unknown opcode');
    }
  }

  #identify(ws: WebSocket, data: unknown): void {
    const parsed = identifySchema.safeParse(data);
    if (!parsed.success) {
      this.#close(ws, GatewayCloseCodes.DecodeError, 'Invalid IDENTIFY payload');
      return;
    }
    const identify = parsed.data;
    this.identifies.push(identify as GatewayIdentifyData);
    if (identify.token !== this.options.token && identify.token !== `Bot ${this.options.token}`) {
      this.#close(ws, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    if ((identify.intents & PRIVILEGED_INTENTS & ~this.options.grantedPrivilegedIntents) !== 0) {
      this.#close(ws, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
      return;
    }
    const [shardId, shardCount] = identify.shard ?? [0, 1];
    if (shardCount < 1 || shardId < 0 || shardId >= shardCount) {
      this.#close(ws, GatewayCloseCodes.InvalidShard, 'Invalid shard.');
      return;
    }
    const shard = [shardId, shardCount] as const;
    const world = this.options.world;
    const guilds = [...world.guilds.values()].filter((guild) => this.#routesTo(shard, guild.id));
    if (guilds.length > (this.options.maxGuildsPerShard ?? MAX_GUILDS_PER_SHARD)) {
      this.#close(ws, GatewayCloseCodes.ShardingRequired, 'Sharding required.');
      return;
    }
    const session: Session = {
      id: randomUUID().replaceAll('-', ''),
      shard,
      sequence: 0,
      sent: [],
      socket: ws,
    };
    this.#sessions.set(session.id, session);
    this.#everIdentified = true;
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: world.botUser,
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url,
      shard: [shardId, shardCount],
      application: { id: world.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
    };
    this.#dispatchTo(session, GatewayDispatchEvents.Ready, ready);
    for (const guild of guilds) {
      this.#dispatchTo(session, GatewayDispatchEvents.GuildCreate, world.guildCreate(guild));
    }
    this.#changed();
  }

  /** Discord's routing: a guild's events to `(guild_id >> 22) % num_shards`, guild-less ones to shard 0. */
  #routesTo(shard: readonly [number, number], guildId: string | null): boolean {
    const [shardId, shardCount] = shard;
    return guildId === null ? shardId === 0 : shardOfSnowflake(guildId, shardCount) === shardId;
  }

  #resume(ws: WebSocket, data: unknown): void {
    const parsed = resumeSchema.safeParse(data);
    const session = parsed.success ? this.#sessions.get(parsed.data.session_id) : undefined;
    if (!parsed.success || !session || parsed.data.token.replace(/^Bot /, '') !== this.options.token) {
      // Not resumable: Discord answers INVALID_SESSION (d=false) and the client identifies afresh.
      this.#send(ws, { op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    this.resumes.push({ sessionId: session.id, seq: parsed.data.seq });
    session.socket = ws;
    for (const frame of session.sent) if (frame.s > (parsed.data.seq ?? 0)) this.#send(ws, frame);
    this.#dispatchTo(session, GatewayDispatchEvents.Resumed, null);
    this.#changed();
  }

  get url(): string {
    const address = this.options.server.address();
    if (address === null || typeof address === 'string') throw new Error('The fake Discord is not listening');
    return `ws://127.0.0.1:${address.port}${this.options.path}`;
  }

  #dispatchTo(session: Session, event: string, data: unknown): void {
    session.sequence += 1;
    const frame: DispatchFrame = { op: GatewayOpcodes.Dispatch, t: event, s: session.sequence, d: data };
    session.sent.push(frame);
    if (session.socket) this.#send(session.socket, frame);
  }

  /**
   * Sends a dispatch event to every session of the shard it belongs to, connected or not: a session
   * whose socket is down gets it on RESUME, as on Discord. The guild is `guildId` when given (null: no
   * guild, as for a DM), else the payload's `guild_id`, or its `id` for GUILD_CREATE/UPDATE/DELETE.
   * Returns the sessions it went to (none when no session holds that shard: the event is lost, as on
   * Discord). Throws when no bot ever identified, which is a mistake in the test.
   */
  dispatch(event: string, data: unknown, guildId?: string | null): GatewaySessionInfo[] {
    if (!this.#everIdentified) {
      throw new Error(`Cannot dispatch ${event}: no bot has identified with the fake gateway yet`);
    }
    const guild = guildId === undefined ? eventGuildId(event, data) : guildId;
    const recipients: GatewaySessionInfo[] = [];
    for (const session of this.#sessions.values()) {
      if (!this.#routesTo(session.shard, guild)) continue;
      recipients.push(info(session));
      this.#dispatchTo(session, event, data);
    }
    this.#changed();
    return recipients;
  }

  /** The shard id `guild`'s events go to among `shardCount` shards. */
  shardOf(guild: FakeGuild | string, shardCount: number): number {
    return shardOfSnowflake(typeof guild === 'string' ? guild : guild.id, shardCount);
  }

  /**
   * Drops connections with `code` (4000 unknown error by default: the client resumes): every one, or
   * with `{ shard }` only those of that shard's sessions.
   */
  disconnect(code: number = GatewayCloseCodes.UnknownError, only: { shard?: number } = {}): void {
    const sockets =
      only.shard === undefined
        ? [...this.#sockets]
        : [...this.#sessions.values()]
            .filter((session) => session.shard[0] === only.shard && session.socket !== null)
            .map((session) => session.socket as WebSocket);
    for (const ws of sockets) this.#close(ws, code, 'The fake gateway dropped the connection');
  }

  #send(ws: WebSocket, payload: object): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  #close(ws: WebSocket, code: number, reason: string): void {
    this.closeCodes.push(code);
    ws.close(code, reason);
  }

  async close(): Promise<void> {
    this.options.server.off('upgrade', this.#onUpgrade);
    for (const ws of this.#sockets) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

function info(session: Session): GatewaySessionInfo {
  return { id: session.id, shard: session.shard, connected: session.socket !== null };
}

const GUILD_OBJECT_EVENTS = new Set<string>([
  GatewayDispatchEvents.GuildCreate,
  GatewayDispatchEvents.GuildUpdate,
  GatewayDispatchEvents.GuildDelete,
]);

/** The guild an event belongs to: its `guild_id`, or the guild itself for guild object events. */
function eventGuildId(event: string, data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  const id = GUILD_OBJECT_EVENTS.has(event) ? record.id : record.guild_id;
  return typeof id === 'string' ? id : null;
}
