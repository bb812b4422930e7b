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
import type { FakeWorld } from './world.js';

/**
 * The fake gateway: Discord's WebSocket protocol (JSON encoding, no compression) as far as a bot that
 * only answers interactions needs it. HELLO on connect, ACK for every heartbeat, IDENTIFY → READY →
 * GUILD_CREATE, RESUME with replay of the events missed while disconnected, then whatever the test
 * dispatches (INTERACTION_CREATE). Every IDENTIFY is recorded so tests can check the intents.
 */

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
}

export class FakeGateway {
  readonly identifies: GatewayIdentifyData[] = [];
  readonly resumes: { sessionId: string; seq: number | null }[] = [];
  /** Close codes the fake sent, in order (4004 wrong token, 4014 disallowed intents, …). */
  readonly closeCodes: number[] = [];
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<WebSocket>();
  readonly #readyListeners = new Set<() => void>();
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

  /** True once some bot has identified (its session then receives dispatches, connected or not). */
  get identified(): boolean {
    return this.#sessions.size > 0;
  }

  /** Resolves when some session becomes ready (at once if one already is). */
  whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = () => {
        this.#readyListeners.delete(listener);
        resolve();
      };
      this.#readyListeners.add(listener);
    });
  }

  #accept(ws: WebSocket, url: URL): void {
    this.#sockets.add(ws);
    ws.on('close', () => {
      this.#sockets.delete(ws);
      for (const session of this.#sessions.values()) if (session.socket === ws) session.socket = null;
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
    if (shardId !== 0 || shardCount !== 1) {
      this.#close(ws, GatewayCloseCodes.InvalidShard, 'Invalid shard.');
      return;
    }
    const session: Session = { id: randomUUID().replaceAll('-', ''), sequence: 0, sent: [], socket: ws };
    this.#sessions.set(session.id, session);
    const world = this.options.world;
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: world.botUser,
      guilds: [{ id: world.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.url,
      shard: [0, 1],
      application: { id: world.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
    };
    this.#dispatchTo(session, GatewayDispatchEvents.Ready, ready);
    this.#dispatchTo(session, GatewayDispatchEvents.GuildCreate, world.guildCreate());
    for (const listener of [...this.#readyListeners]) listener();
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
    for (const listener of [...this.#readyListeners]) listener();
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
   * Sends a dispatch event to every session, connected or not: a session whose socket is down gets it
   * on RESUME, as on Discord. Throws when no bot ever identified, which is a mistake in the test.
   */
  dispatch(event: string, data: unknown): void {
    if (this.#sessions.size === 0) {
      throw new Error(`Cannot dispatch ${event}: no bot has identified with the fake gateway yet`);
    }
    for (const session of this.#sessions.values()) this.#dispatchTo(session, event, data);
  }

  /** Drops every connection with `code` (4000 unknown error by default: the client resumes). */
  disconnect(code: number = GatewayCloseCodes.UnknownError): void {
    for (const ws of this.#sockets) this.#close(ws, code, 'The fake gateway dropped the connection');
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
