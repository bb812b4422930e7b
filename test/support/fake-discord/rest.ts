import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type APIApplicationCommand,
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
} from 'discord.js';
import type { DiscordSchemaValidator } from './openapi-validator.js';
import { nextSnowflake } from './snowflake.js';
import type { FakeCallback, FakeInteractionRecord, FakeWorld, MessageBody, UploadedFile } from './world.js';

/**
 * The fake's REST API under `/api/v10`: routing by the OpenAPI path templates, bot-token checks,
 * Discord-style rate-limit headers, fault injection, schema validation of bodies, and the handlers
 * that change the world (commands, interaction callbacks, webhooks, channel messages).
 */

export type RecordedFile = UploadedFile;

export interface RecordedRequest {
  /** 1, 2, … in arrival order. */
  seq: number;
  method: string;
  /** The path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  /** The OpenAPI path template that matched, e.g. `/channels/{channel_id}/messages`; null when none did. */
  route: string | null;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Whether `Authorization: Bot <token>` carried the right token (the header itself is never kept). */
  authorized: boolean;
  /**
   * The `User-Agent` header, null when absent. discord.js sends `DiscordBot (url, version) …` followed
   * by its `userAgentAppendix`, which tells apart two processes of one application.
   */
  userAgent: string | null;
  /** Parsed JSON body, or the `payload_json` part of a multipart body; null when there was none. */
  body: unknown;
  files: RecordedFile[];
  /** Problems found against the OpenAPI schema: [] when valid, null when the route has no JSON schema. */
  schemaErrors: string[] | null;
  /** The status the fake answered with. */
  status: number;
  /** True when the answer was an injected fault (nothing was changed). */
  faulted: boolean;
}

export interface FakeFault {
  /** An OpenAPI path template, e.g. `/interactions/{interaction_id}/{interaction_token}/callback`. */
  route: string;
  method?: string;
  /** 429 (rate limited) or a 5xx. */
  status: number;
  /** Seconds, for 429s; Discord sends fractions. */
  retryAfter?: number;
  global?: boolean;
  /** How many matching requests fail (default 1). */
  times?: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Context {
  params: Record<string, string>;
  query: URLSearchParams;
  authorized: boolean;
  body: unknown;
  files: UploadedFile[];
}

type Handler = (ctx: Context) => Reply | Promise<Reply>;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  auth: boolean;
  handler: Handler;
}

const RATE_LIMIT = 50;
const RATE_WINDOW_MS = 10_000;

function discordError(status: number, code: number, message: string, errors?: unknown): Reply {
  return { status, body: { message, code, ...(errors ? { errors } : {}) } };
}

const unknownMessage = () => discordError(404, 10008, 'Unknown Message');
const unknownChannel = () => discordError(404, 10003, 'Unknown Channel');
const unknownWebhook = () => discordError(404, 10015, 'Unknown Webhook');
const missingAccess = () => discordError(403, 50001, 'Missing Access');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Bodies have passed the OpenAPI schema by the time handlers read them, so the fields have Discord's types. */
function messageBody(value: unknown): MessageBody {
  return isRecord(value) ? (value as MessageBody) : {};
}

/** Files uploaded under `files[n]` must be referenced by an attachment `{ id: n }` and vice versa. */
function attachmentProblems(body: unknown, files: UploadedFile[]): string[] {
  const container = isRecord(body) && isRecord(body.data) ? body.data : body;
  const listed = isRecord(container) && Array.isArray(container.attachments) ? container.attachments : null;
  if (listed === null) return [];
  const problems: string[] = [];
  const fields = new Set(files.map((file) => file.field));
  const referenced = new Set<string>();
  for (const entry of listed) {
    if (!isRecord(entry)) continue;
    const id = String(entry.id);
    // Small integers name uploads of this request; snowflakes name attachments kept from before.
    if (/^\d{1,2}$/.test(id)) {
      referenced.add(`files[${id}]`);
      if (!fields.has(`files[${id}]`))
        problems.push(`attachments: id ${id} refers to files[${id}], which was not uploaded`);
    }
  }
  for (const field of fields) {
    if (!referenced.has(field)) problems.push(`${field} was uploaded but no attachment refers to it`);
  }
  return problems;
}

/** The channel an interaction happened in, where its responses and follow-ups appear. */
function interactionChannelId(record: FakeInteractionRecord, world: FakeWorld): string {
  return record.payload.channel?.id ?? record.payload.channel_id ?? world.channelId;
}

export class FakeRest {
  readonly requests: RecordedRequest[] = [];
  readonly #routes: Route[] = [];
  readonly #faults: (FakeFault & { remaining: number })[] = [];
  readonly #buckets = new Map<string, { count: number; windowStart: number }>();
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly world: FakeWorld,
    private readonly options: {
      token: string;
      gatewayUrl: () => string;
      validator: DiscordSchemaValidator;
      /** `reject` answers schema violations with 400 like Discord; `record` only notes them. */
      validation: 'reject' | 'record';
      /** `shards` of GET /gateway/bot: the shard count Discord recommends to this bot. */
      recommendedShards: number;
      /** `session_start_limit.max_concurrency`: how many shards may identify at once. */
      maxConcurrency: number;
    },
  ) {
    this.#defineRoutes();
  }

  /** Called after every request is answered and recorded. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  injectFault(fault: FakeFault): void {
    this.#faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  #route(method: string, template: string, handler: Handler, auth = true): void {
    const names: string[] = [];
    const source = template
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param?.[1]) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(param[1]);
        return '([^/]+)';
      })
      .join('/');
    this.#routes.push({ method, template, pattern: new RegExp(`^${source}$`), names, auth, handler });
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const authorized = req.headers.authorization === `Bot ${this.options.token}`;
    // Clients percent-encode some segments (`%40original`); routes are written decoded, as in the spec.
    const decoded = path
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
    let matched: { route: Route; params: Record<string, string> } | null = null;
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(decoded);
      if (!found) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, found[i + 1] ?? '']));
      matched = { route, params };
      break;
    }
    const record: RecordedRequest = {
      seq: this.requests.length + 1,
      method,
      path,
      route: matched?.route.template ?? null,
      params: matched?.params ?? {},
      query: Object.fromEntries(query),
      authorized,
      userAgent: req.headers['user-agent'] ?? null,
      body: null,
      files: [],
      schemaErrors: null,
      status: 0,
      faulted: false,
    };
    const reply = await this.#reply(record, matched, req.headers['content-type'], raw);
    record.status = reply.status;
    this.requests.push(record);
    this.#send(res, reply, this.#rateLimitHeaders(record));
    for (const listener of [...this.#listeners]) listener();
  }

  async #reply(
    record: RecordedRequest,
    matched: { route: Route; params: Record<string, string> } | null,
    contentType: string | undefined,
    raw: Buffer,
  ): Promise<Reply> {
    let parsed: { body: unknown; files: UploadedFile[] };
    try {
      parsed = await parseBody(contentType, raw);
    } catch (err) {
      return discordError(400, 50109, `The request body contains invalid JSON (${String(err)})`);
    }
    record.body = parsed.body;
    record.files = parsed.files;
    try {
      return await this.#answer(record, matched, parsed);
    } catch (err) {
      // A bug in the fake itself: answer like an outage, with the cause for whoever reads the log.
      return { status: 500, body: { message: `Fake Discord failed: ${String(err)}`, code: 0 } };
    }
  }

  async #answer(
    record: RecordedRequest,
    matched: { route: Route; params: Record<string, string> } | null,
    parsed: { body: unknown; files: UploadedFile[] },
  ): Promise<Reply> {
    if (!matched) return discordError(404, 0, '404: Not Found');
    const { route, params } = matched;
    if (route.auth && !record.authorized) return discordError(401, 0, '401: Unauthorized');
    const fault = this.#faults.find(
      (f) => f.remaining > 0 && f.route === route.template && (f.method ?? route.method) === route.method,
    );
    if (fault) {
      fault.remaining -= 1;
      record.faulted = true;
      return this.#faultReply(fault);
    }
    if (parsed.body !== null || parsed.files.length > 0) {
      const errors = this.options.validator.check(route.method, route.template, parsed.body ?? {});
      record.schemaErrors =
        errors === null ? null : [...errors, ...attachmentProblems(parsed.body, parsed.files)];
      if (this.options.validation === 'reject' && record.schemaErrors && record.schemaErrors.length > 0) {
        return discordError(400, 50035, 'Invalid Form Body', {
          _fake: { _errors: record.schemaErrors.map((message) => ({ code: 'SCHEMA_INVALID', message })) },
        });
      }
    }
    return route.handler({
      params,
      query: new URLSearchParams(record.query),
      authorized: record.authorized,
      body: parsed.body,
      files: parsed.files,
    });
  }

  #faultReply(fault: FakeFault): Reply {
    if (fault.status !== 429) {
      return { status: fault.status, body: { message: `${fault.status}: Fake fault`, code: 0 } };
    }
    const retryAfter = fault.retryAfter ?? 0.05;
    return {
      status: 429,
      body: {
        message: 'You are being rate limited.',
        retry_after: retryAfter,
        global: fault.global ?? false,
      },
      headers: {
        'Retry-After': String(retryAfter),
        'X-RateLimit-Scope': fault.global ? 'global' : 'user',
        ...(fault.global ? { 'X-RateLimit-Global': 'true' } : {}),
      },
    };
  }

  /** Discord's per-route bucket headers; the bucket is the route plus its major parameter. */
  #rateLimitHeaders(record: RecordedRequest): Record<string, string> {
    if (record.route === null) return {};
    const major = record.params.channel_id ?? record.params.guild_id ?? record.params.webhook_id ?? '';
    const key = `${record.method} ${record.route} ${major}`;
    const now = Date.now();
    let bucket = this.#buckets.get(key);
    if (!bucket || now - bucket.windowStart >= RATE_WINDOW_MS) {
      bucket = { count: 0, windowStart: now };
      this.#buckets.set(key, bucket);
    }
    bucket.count += 1;
    // Never reports 0 remaining: the fake's limits are not the subject of tests and must not slow them.
    const remaining = Math.max(1, RATE_LIMIT - bucket.count);
    const resetAfter = (bucket.windowStart + RATE_WINDOW_MS - now) / 1000;
    return {
      'X-RateLimit-Limit': String(RATE_LIMIT),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': ((now + resetAfter * 1000) / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': createHash('sha1')
        .update(`${record.method} ${record.route}`)
        .digest('hex')
        .slice(0, 16),
    };
  }

  #send(res: ServerResponse, reply: Reply, rateLimit: Record<string, string>): void {
    const headers: Record<string, string> = { ...rateLimit, ...reply.headers };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res
      .writeHead(reply.status, { ...headers, 'Content-Type': 'application/json' })
      .end(JSON.stringify(reply.body));
  }

  #defineRoutes(): void {
    const world = this.world;
    const json = (body: unknown): Reply => ({ status: 200, body });

    this.#route('GET', '/gateway', () => json({ url: this.options.gatewayUrl() }), false);
    this.#route('GET', '/gateway/bot', () =>
      json({
        url: this.options.gatewayUrl(),
        shards: this.options.recommendedShards,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 86_400_000,
          max_concurrency: this.options.maxConcurrency,
        },
      }),
    );
    this.#route('GET', '/users/@me', () => json(world.botUser));
    this.#route('GET', '/applications/@me', () =>
      json({
        id: world.applicationId,
        name: world.botUser.username,
        icon: null,
        description: '',
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: 0,
        bot: world.botUser,
      }),
    );

    // Application commands, global and per guild.
    const commandList = (guildId: string | null) => {
      if (guildId === null) return world.globalCommands;
      let list = world.guildCommands.get(guildId);
      if (!list) {
        list = [];
        world.guildCommands.set(guildId, list);
      }
      return list;
    };
    const toCommand = (
      raw: Record<string, unknown>,
      guildId: string | null,
      existing?: APIApplicationCommand,
    ) =>
      ({
        ...raw,
        id: existing?.id ?? nextSnowflake(),
        application_id: world.applicationId,
        version: nextSnowflake(),
        type: raw.type ?? ApplicationCommandType.ChatInput,
        default_member_permissions: raw.default_member_permissions ?? null,
        nsfw: raw.nsfw ?? false,
        ...(guildId ? { guild_id: guildId } : {}),
      }) as APIApplicationCommand;
    const commandRoutes = (template: string, guildOf: (params: Record<string, string>) => string | null) => {
      const check = (params: Record<string, string>) =>
        params.application_id === world.applicationId &&
        (params.guild_id === undefined || world.guild(params.guild_id) !== undefined);
      this.#route('GET', template, ({ params }) =>
        check(params) ? json(commandList(guildOf(params))) : missingAccess(),
      );
      this.#route('PUT', template, ({ params, body }) => {
        if (!check(params)) return missingAccess();
        const list = commandList(guildOf(params));
        const incoming = Array.isArray(body) ? body.filter(isRecord) : [];
        const replaced = incoming.map((raw) =>
          toCommand(
            raw,
            guildOf(params),
            list.find((c) => c.name === raw.name),
          ),
        );
        list.splice(0, list.length, ...replaced);
        return json(replaced);
      });
      this.#route('POST', template, ({ params, body }) => {
        if (!check(params) || !isRecord(body)) return missingAccess();
        const list = commandList(guildOf(params));
        const index = list.findIndex((c) => c.name === body.name);
        const command = toCommand(body, guildOf(params), list[index]);
        if (index >= 0) list[index] = command;
        else list.push(command);
        return { status: index >= 0 ? 200 : 201, body: command };
      });
    };
    commandRoutes('/applications/{application_id}/commands', () => null);
    commandRoutes(
      '/applications/{application_id}/guilds/{guild_id}/commands',
      (params) => params.guild_id ?? null,
    );

    // Interaction responses. These routes are authorised by the interaction token, not the bot token.
    this.#route(
      'POST',
      '/interactions/{interaction_id}/{interaction_token}/callback',
      ({ params, query, body, files }) => {
        const record = world.interactions.get(params.interaction_id ?? '');
        if (!record || record.token !== params.interaction_token) {
          return discordError(404, 10062, 'Unknown interaction');
        }
        if (record.callbacks.length > 0) {
          return discordError(400, 40060, 'Interaction has already been acknowledged.');
        }
        if (!isRecord(body) || typeof body.type !== 'number')
          return discordError(400, 50035, 'Invalid Form Body');
        const allowed = ALLOWED_CALLBACKS[record.payload.type] ?? [];
        if (!allowed.includes(body.type)) {
          return discordError(
            400,
            40043,
            `Callback type ${body.type} is not valid for this interaction type`,
          );
        }
        const data = isRecord(body.data) ? body.data : null;
        const ephemeral = ((Number(data?.flags ?? 0) & MessageFlags.Ephemeral) as number) !== 0;
        const callback: FakeCallback = { type: body.type, data, files, ephemeral };
        const message = this.#applyCallback(record, callback);
        record.callbacks.push(callback);
        if (query.get('with_response') !== 'true') return { status: 204 };
        return json({
          interaction: {
            id: record.id,
            type: record.payload.type,
            ...(message
              ? {
                  response_message_id: message.id,
                  response_message_loading: (message.flags & MessageFlags.Loading) !== 0,
                  response_message_ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0,
                }
              : {}),
          },
          ...(message ? { resource: { type: callback.type, message: world.apiMessage(message) } } : {}),
        });
      },
      false,
    );

    const interactionFor = (params: Record<string, string>): FakeInteractionRecord | null => {
      if (params.webhook_id !== world.applicationId) return null;
      const record = world.interactionByToken(params.webhook_token ?? '');
      // The token only works as a webhook once the interaction has been acknowledged.
      return record && record.callbacks.length > 0 ? record : null;
    };
    const webhookMessage = (params: Record<string, string>) => {
      const record = interactionFor(params);
      if (!record) return null;
      const id = params.message_id ?? record.originalMessageId;
      const message = id ? world.messages.get(id) : undefined;
      if (!message) return null;
      const belongs = message.id === record.originalMessageId || record.followUpIds.includes(message.id);
      return belongs ? { record, message } : null;
    };

    this.#route(
      'POST',
      '/webhooks/{webhook_id}/{webhook_token}',
      ({ params, query, body, files }) => {
        const record = interactionFor(params);
        if (!record) return unknownWebhook();
        const original = record.originalMessageId ? world.messages.get(record.originalMessageId) : undefined;
        // Discord: a follow-up sent while the deferred response is still loading resolves that loading
        // message instead of posting a new one, and keeps the deferral's visibility (its flags cannot change).
        const message =
          original && (original.flags & MessageFlags.Loading) !== 0
            ? world.editMessage(original, { ...messageBody(body), flags: undefined }, files)
            : world.createMessage(interactionChannelId(record, world), messageBody(body), files, {
                interactionId: record.id,
                webhookId: world.applicationId,
              });
        record.followUpIds.push(message.id);
        return query.get('wait') === 'true' ? json(world.apiMessage(message)) : { status: 204 };
      },
      false,
    );
    for (const template of [
      '/webhooks/{webhook_id}/{webhook_token}/messages/@original',
      '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}',
    ]) {
      this.#route(
        'GET',
        template,
        ({ params }) => {
          const found = webhookMessage(params);
          return found ? json(world.apiMessage(found.message)) : unknownMessage();
        },
        false,
      );
      this.#route(
        'PATCH',
        template,
        ({ params, body, files }) => {
          const found = webhookMessage(params);
          if (!found) return unknownMessage();
          return json(world.apiMessage(world.editMessage(found.message, messageBody(body), files)));
        },
        false,
      );
      this.#route(
        'DELETE',
        template,
        ({ params }) => {
          const found = webhookMessage(params);
          if (!found) return unknownMessage();
          world.messages.delete(found.message.id);
          return { status: 204 };
        },
        false,
      );
    }

    // Channels and guild.
    this.#route('GET', '/channels/{channel_id}', ({ params }) => {
      const guild = world.guildOfChannel(params.channel_id ?? '');
      return guild ? json(world.channel(guild)) : unknownChannel();
    });
    this.#route('POST', '/channels/{channel_id}/messages', ({ params, body, files }) => {
      const guild = world.guildOfChannel(params.channel_id ?? '');
      if (!guild) return unknownChannel();
      const message = world.createMessage(guild.channelId, messageBody(body), files);
      return json(world.apiMessage(message));
    });
    const channelMessage = (params: Record<string, string>) => {
      const message = world.messages.get(params.message_id ?? '');
      const visible =
        message && message.channelId === params.channel_id && (message.flags & MessageFlags.Ephemeral) === 0;
      return visible ? message : null;
    };
    this.#route('GET', '/channels/{channel_id}/messages/{message_id}', ({ params }) => {
      const message = channelMessage(params);
      return message ? json(world.apiMessage(message)) : unknownMessage();
    });
    this.#route('PATCH', '/channels/{channel_id}/messages/{message_id}', ({ params, body, files }) => {
      const message = channelMessage(params);
      if (!message) return unknownMessage();
      if (message.author.id !== world.botUser.id)
        return discordError(403, 50005, 'Cannot edit a message authored by another user');
      return json(world.apiMessage(world.editMessage(message, messageBody(body), files)));
    });
    this.#route('DELETE', '/channels/{channel_id}/messages/{message_id}', ({ params }) => {
      const message = channelMessage(params);
      if (!message) return unknownMessage();
      world.messages.delete(message.id);
      return { status: 204 };
    });
    const unknownGuild = () => discordError(404, 10004, 'Unknown Guild');
    this.#route('GET', '/guilds/{guild_id}', ({ params }) => {
      const found = world.guild(params.guild_id ?? '');
      if (!found) return unknownGuild();
      const {
        members: _m,
        channels: _c,
        voice_states: _v,
        presences: _p,
        ...guild
      } = world.guildCreate(found);
      return json(guild);
    });
    this.#route('GET', '/guilds/{guild_id}/roles', ({ params }) => {
      const guild = world.guild(params.guild_id ?? '');
      return guild ? json([...guild.roles.values()]) : unknownGuild();
    });
    this.#route('GET', '/guilds/{guild_id}/members/{user_id}', ({ params }) => {
      const guild = world.guild(params.guild_id ?? '');
      if (!guild) return unknownGuild();
      const user = guild.members.get(params.user_id ?? '');
      return user ? json(world.member(user)) : discordError(404, 10007, 'Unknown Member');
    });
  }

  /** Changes the world for an accepted callback and returns the message it created or updated, if any. */
  #applyCallback(record: FakeInteractionRecord, callback: FakeCallback) {
    const world = this.world;
    const body = messageBody(callback.data);
    const channelId = interactionChannelId(record, world);
    const componentMessage = () => {
      const payload = record.payload;
      const id = 'message' in payload && payload.message ? payload.message.id : null;
      return id ? world.messages.get(id) : undefined;
    };
    switch (callback.type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const message = world.createMessage(channelId, body, callback.files, {
          interactionId: record.id,
          webhookId: world.applicationId,
        });
        record.originalMessageId = message.id;
        return message;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const ephemeral = callback.ephemeral ? MessageFlags.Ephemeral : 0;
        const message = world.createMessage(channelId, {}, [], {
          interactionId: record.id,
          webhookId: world.applicationId,
          flags: MessageFlags.Loading | ephemeral,
        });
        record.originalMessageId = message.id;
        return message;
      }
      case InteractionResponseType.DeferredMessageUpdate: {
        const message = componentMessage();
        record.originalMessageId = message?.id ?? null;
        return message;
      }
      case InteractionResponseType.UpdateMessage: {
        const message = componentMessage();
        if (message) world.editMessage(message, body, callback.files);
        record.originalMessageId = message?.id ?? null;
        return message;
      }
      default:
        return undefined;
    }
  }
}

/** Which callback types Discord accepts for which interaction type. */
const ALLOWED_CALLBACKS: Partial<Record<InteractionType, number[]>> = {
  [InteractionType.ApplicationCommand]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.Modal,
  ],
  [InteractionType.MessageComponent]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
    InteractionResponseType.Modal,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [
    InteractionResponseType.ApplicationCommandAutocompleteResult,
  ],
  [InteractionType.ModalSubmit]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
  ],
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON, or multipart/form-data (`payload_json` plus `files[n]`) parsed by the platform's own Request. */
async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: null, files: [] };
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/json')) return { body: JSON.parse(raw.toString('utf8')), files: [] };
  if (!type.startsWith('multipart/form-data')) return { body: null, files: [] };
  const form = await new Request('http://fake-discord.invalid/', {
    method: 'POST',
    headers: { 'content-type': contentType ?? '' },
    body: raw,
  }).formData();
  let body: unknown = null;
  const files: UploadedFile[] = [];
  for (const [field, value] of form) {
    if (typeof value === 'string') {
      if (field === 'payload_json') body = JSON.parse(value);
      continue;
    }
    files.push({
      field,
      filename: value.name,
      contentType: value.type === '' ? null : value.type,
      bytes: Buffer.from(await value.arrayBuffer()),
    });
  }
  return { body, files };
}
