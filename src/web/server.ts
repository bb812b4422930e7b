import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import QRCode from 'qrcode';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { SPECIALTY_MAX_LENGTH, TRAINING_LEVEL_LABELS, TRAINING_LEVELS } from '../baseline/profile.js';
import type { BaselineService } from '../baseline/service.js';
import type { PairSet } from '../dataset/model.js';
import { isUserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Clock, Scheduler } from '../quiz/clock.js';
import type { QuizEngine, QuizLimits } from '../quiz/engine.js';
import type { OfferedModel } from '../quiz/model-answers.js';
import type { StatsScope } from '../quiz/stats.js';
import type { Store } from '../store/types.js';
import {
  type AdmissionSettings,
  DEFAULT_ADMISSION,
  RoomJanitor,
  rateLimitOptions,
  rateLimitRoutes,
} from './admission.js';
import { clientAssets, type PageName } from './assets.js';
import { registerBaselineApi } from './baseline-api.js';
import type { BaselinePageData } from './baseline-protocol.js';
import { ImageLinks } from './image-links.js';
import { DEMO_LABEL, renderMessagePage, renderPage } from './pages.js';
import { roomCodeSchema, type ServerMessage, type StatsView } from './protocol.js';
import { QuizRooms } from './quiz-rooms.js';
import { joinReach } from './reachability.js';
import { engineRoomId, type WebRoom } from './rooms.js';
import { websocketErrorHandler } from './socket-errors.js';
import { comparisonView } from './views.js';

export interface WebServerOptions {
  engine: QuizEngine;
  store: Store;
  set: PairSet;
  log: Logger;
  models: readonly OfferedModel[];
  /** Why the demo set is in use, shown on every page; null with the real dataset. */
  banner: string | null;
  /** Shown on the host view: how many pairs are playable and why, when some images are missing. */
  setNote?: string | null;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Base of the links given to participants; null: built from host and port. */
  publicUrl: string | null;
  clock?: Clock;
  limits?: Partial<QuizLimits>;
  countIntervalMs?: number;
  /** Most rooms made from the home page that may exist at once (expired ones give their place back). */
  maxNewRooms?: number;
  /** Participant cap, per-address rates and idle-room expiry (admission.ts). */
  admission?: Partial<AdmissionSettings>;
  /**
   * Addresses (or CIDR ranges) of reverse proxies in front of the server, whose X-Forwarded-For is believed:
   * behind a proxy every person otherwise has the proxy's address, and the per-address limits would apply
   * to everyone together. Empty (the default): the connection's own address counts.
   */
  trustedProxies?: readonly string[];
  /** Timer for the idle-room sweeps; tests drive the janitor by hand. */
  scheduler?: Scheduler;
  /** The private human baseline (/baseline page and /api/baseline/…); absent: the page says it is off. */
  baseline?: BaselineService;
}

export interface WebServer {
  rooms: QuizRooms;
  /** Expires rooms nobody hosts (swept every minute; `sweep()` runs one now). */
  janitor: RoomJanitor;
  /** The room `npm start` prints. */
  primary: WebRoom;
  /** Where this server answers, e.g. http://127.0.0.1:3000. */
  localUrl: string;
  /** The base participants use (PUBLIC_URL, or the local URL with a network address for 0.0.0.0). */
  publicUrl: string;
  joinUrl(code: string): string;
  hostUrl(room: WebRoom): string;
  close(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** An address other devices can reach when listening on every interface: the first non-internal IPv4. */
function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return '127.0.0.1';
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const statsQuerySchema = z.strictObject({ room: roomCodeSchema.optional() });
const codeParamsSchema = z.object({ code: z.string() });
const tokenParamsSchema = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/) });
const assetParamsSchema = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/) });

/** Heartbeat: a socket that answers no ping within this long is dropped (phones vanish without closing). */
const PING_INTERVAL_MS = 30_000;

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const log = options.log.child({ component: 'web' });
  // Built before listening, so that a broken client build fails the start instead of the first page view.
  const assets = await clientAssets();
  let publicBase = '';
  const joinUrl = (code: string) => `${publicBase}/join/${code}`;
  const hostUrl = (room: WebRoom) => `${publicBase}/host/${room.code}#key=${room.hostKey}`;
  const images = new ImageLinks(options.set);
  const admission: AdmissionSettings = { ...DEFAULT_ADMISSION, ...options.admission };
  const rooms = new QuizRooms({
    engine: options.engine,
    store: options.store,
    set: options.set,
    log: options.log,
    images,
    models: options.models,
    banner: options.banner,
    setNote: options.setNote ?? null,
    joinUrl,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.countIntervalMs !== undefined ? { countIntervalMs: options.countIntervalMs } : {}),
    maxParticipantsPerRoom: admission.maxParticipantsPerRoom,
  });
  const primary = await rooms.init();
  const maxNewRooms = options.maxNewRooms ?? 100;
  let newRooms = (await rooms.madeRooms()).length;
  const janitor = new RoomJanitor(rooms, admission.idleRoomMs, log, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    onExpired: (count) => {
      newRooms = Math.max(0, newRooms - count);
    },
  });

  const app = Fastify({
    loggerInstance: log,
    // One line per request would drown the quiz's own log lines; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Browsers keep connections open and reconnect their WebSockets at once; without this, closing the
    // server could wait on them indefinitely.
    forceCloseConnections: true,
    ...(options.trustedProxies !== undefined && options.trustedProxies.length > 0
      ? { trustProxy: [...options.trustedProxies] }
      : {}),
  });
  await app.register(websocket, { options: { maxPayload: 4096 }, errorHandler: websocketErrorHandler(log) });

  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
  });
  await app.register(rateLimit, rateLimitOptions(log));
  const rateLimited = rateLimitRoutes(admission);

  const page = (reply: FastifyReply, name: PageName, title: string, data: unknown = {}) =>
    reply
      .type('text/html; charset=utf-8')
      .send(renderPage({ page: name, title, banner: options.banner, data }));
  const messagePage = (reply: FastifyReply, status: number, title: string, message: string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(renderMessagePage(title, message, options.banner));
  const wantsJson = (request: FastifyRequest) => request.url.startsWith('/api/');

  /** The room code from a URL, or a friendly page saying what is wrong with it. */
  const roomFromParams = async (request: FastifyRequest, reply: FastifyReply): Promise<string | null> => {
    const parsed = roomCodeSchema.safeParse(codeParamsSchema.parse(request.params).code);
    if (!parsed.success) {
      await messagePage(
        reply,
        404,
        'Room not found',
        `That link has no valid room code: ${parsed.error.issues[0]?.message}.`,
      );
      return null;
    }
    if (!(await rooms.roomExists(parsed.data))) {
      await messagePage(
        reply,
        404,
        'Room not found',
        `There is no room ${parsed.data}. Check the code on the host's screen.`,
      );
      return null;
    }
    return parsed.data;
  };

  app.get('/', (_request, reply) =>
    page(reply, 'home', 'MediConfusion quiz', { baseline: options.baseline !== undefined }),
  );
  app.get('/join', (_request, reply) => page(reply, 'join', 'Join the MediConfusion quiz', { room: null }));
  app.get('/join/:code', async (request, reply) => {
    const code = await roomFromParams(request, reply);
    if (code !== null) return page(reply, 'join', `Join quiz ${code}`, { room: code });
  });
  app.get('/host/:code', async (request, reply) => {
    const code = await roomFromParams(request, reply);
    if (code !== null)
      return page(reply, 'host', `Host quiz ${code}`, { room: code, reach: joinReach(publicBase) });
  });
  app.get('/stats', (_request, reply) => page(reply, 'stats', 'MediConfusion quiz statistics'));
  app.get('/baseline', (_request, reply) => {
    if (options.baseline === undefined) {
      return messagePage(
        reply,
        404,
        'Private baseline',
        'The private baseline is not enabled on this server.',
      );
    }
    const data: BaselinePageData = {
      enabled: true,
      trainingLevels: TRAINING_LEVELS.map((value) => ({ value, label: TRAINING_LEVEL_LABELS[value] })),
      specialtyMaxLength: SPECIALTY_MAX_LENGTH,
    };
    return page(reply, 'baseline', 'MediConfusion private baseline', data);
  });
  if (options.baseline !== undefined) {
    registerBaselineApi(app, { service: options.baseline, set: options.set, images, log: options.log });
  }

  app.get('/assets/:name', async (request, reply) => {
    // Any other character cannot name a bundled file: a plain 404, not a validation failure.
    const params = assetParamsSchema.safeParse(request.params);
    const asset = params.success ? assets.get(params.data.name) : undefined;
    if (asset === undefined) return messagePage(reply, 404, 'Not found', 'There is no such file.');
    return reply.type(asset.contentType).header('cache-control', 'no-cache').send(asset.body);
  });

  app.get('/img/:token', async (request, reply) => {
    const params = tokenParamsSchema.safeParse(request.params);
    const image = params.success ? images.resolve(params.data.token) : undefined;
    const found = image === undefined ? null : await stat(image.file).catch(() => null);
    if (image === undefined || found === null || !found.isFile()) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('This image is not available (the question may be over).');
    }
    return reply
      .type(image.contentType)
      .header('content-length', found.size)
      .header('cache-control', 'private, max-age=3600')
      .send(createReadStream(image.file));
  });

  app.get('/api/rooms/:code/qr.svg', async (request, reply) => {
    const parsed = roomCodeSchema.safeParse(codeParamsSchema.parse(request.params).code);
    if (!parsed.success || !(await rooms.roomExists(parsed.data))) {
      return reply.code(404).send({ error: 'NO_ROOM', message: 'There is no such room.' });
    }
    const svg = await QRCode.toString(joinUrl(parsed.data), {
      type: 'svg',
      margin: 2,
      errorCorrectionLevel: 'M',
    });
    return reply.type('image/svg+xml').header('cache-control', 'no-cache').send(svg);
  });

  app.post('/api/rooms', rateLimited.rooms, async (_request, reply) => {
    if (newRooms >= maxNewRooms) {
      return reply.code(429).send({
        error: 'TOO_MANY_ROOMS',
        message: `This server holds ${maxNewRooms} rooms already; rooms nobody hosts expire after ${Math.round(admission.idleRoomMs / 60_000)} minutes.`,
      });
    }
    newRooms++;
    const room = await rooms.createRoom();
    return reply.code(201).send({ code: room.code, hostUrl: `/host/${room.code}#key=${room.hostKey}` });
  });

  app.get('/api/stats', async (request, reply) => {
    const query = statsQuerySchema.safeParse(request.query);
    if (!query.success) {
      const issue = query.error.issues[0];
      return reply.code(400).send({
        error: 'BAD_QUERY',
        message: `Invalid query${issue?.path.length ? ` parameter ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'unexpected value'}.`,
      });
    }
    const code = query.data.room;
    if (code !== undefined && !(await rooms.roomExists(code))) {
      return reply.code(404).send({ error: 'NO_ROOM', message: `There is no room ${code}.` });
    }
    const scope: StatsScope =
      code === undefined ? { kind: 'all' } : { kind: 'room', roomId: engineRoomId(code) };
    const stats = await options.engine.stats(scope);
    const view: StatsView = {
      scope: code === undefined ? 'every quiz on this server (web and Discord)' : `room ${code}`,
      sessions: stats.sessions,
      rounds: stats.rounds,
      people: stats.people,
      setName: options.set.name,
      banner: options.banner === null ? null : DEMO_LABEL,
      comparison: comparisonView(stats.comparison),
    };
    return view;
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/ws', { websocket: true, ...rateLimited.joins }, (socket: WebSocket) => {
    let alive = true;
    const conn = {
      send(message: ServerMessage | string) {
        if (socket.readyState === socket.OPEN) {
          socket.send(typeof message === 'string' ? message : JSON.stringify(message));
        }
      },
      close(code: number, reason: string) {
        socket.close(code, reason);
      },
    };
    const handler = rooms.connect(conn);
    // One message at a time per connection, in the order sent (a hello is handled before what follows it).
    let queue: Promise<void> = Promise.resolve();
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        conn.send({
          type: 'error',
          code: 'BAD_MESSAGE',
          message: 'Messages must be JSON text.',
          fatal: false,
        });
        return;
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      queue = queue.then(() => handler.message(text));
    });
    socket.on('pong', () => {
      alive = true;
    });
    const ping = setInterval(() => {
      if (!alive) {
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, PING_INTERVAL_MS);
    socket.on('close', () => {
      clearInterval(ping);
      handler.closed();
    });
    socket.on('error', (err) => log.debug({ err }, 'websocket error'));
  });

  app.setNotFoundHandler((request, reply) => {
    if (wantsJson(request))
      return reply.code(404).send({ error: 'NOT_FOUND', message: 'There is no such address.' });
    return messagePage(reply, 404, 'Page not found', 'There is nothing at this address.');
  });
  app.setErrorHandler((err, request, reply) => {
    if (isUserFacingError(err)) {
      return wantsJson(request)
        ? reply.code(400).send({ error: err.code, message: err.message })
        : messagePage(reply, 400, 'That did not work', err.message);
    }
    const status =
      typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : 500;
    if (status >= 400 && status < 500) {
      const message = err instanceof Error ? err.message : 'Bad request.';
      return wantsJson(request)
        ? reply.code(status).send({ error: status === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST', message })
        : messagePage(reply, status, 'Bad request', message);
    }
    log.error({ err, url: request.url }, 'web request failed');
    return wantsJson(request)
      ? reply.code(500).send({ error: 'INTERNAL', message: 'Something went wrong on the server.' })
      : messagePage(reply, 500, 'Something went wrong', 'Something went wrong on the server; try again.');
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const localHost = WILDCARD_HOSTS.has(options.host) ? '127.0.0.1' : options.host;
  const localUrl = `http://${urlHost(localHost)}:${port}`;
  publicBase =
    options.publicUrl ?? (WILDCARD_HOSTS.has(options.host) ? `http://${lanAddress()}:${port}` : localUrl);

  janitor.start();
  return {
    rooms,
    janitor,
    primary,
    localUrl,
    publicUrl: publicBase,
    joinUrl,
    hostUrl,
    async close() {
      janitor.stop();
      rooms.close();
      await app.close();
    },
  };
}
