import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayDispatchEvents, type GatewayIdentifyData, InteractionResponseType } from 'discord.js';
import { FakeGateway, type GatewaySessionInfo } from './gateway.js';
import {
  autocompleteInteraction,
  buttonInteraction,
  directMessageSlashCommandInteraction,
  type InteractionPlace,
  type SlashCommandSpec,
  slashCommandInteraction,
} from './interactions.js';
import { discordSchemaValidator } from './openapi-validator.js';
import { type FakeFault, FakeRest, type RecordedRequest } from './rest.js';
import {
  type FakeCallback,
  type FakeGuild,
  type FakeGuildOptions,
  type FakeInteractionRecord,
  type FakeMessage,
  type FakeUser,
  type FakeUserOptions,
  FakeWorld,
} from './world.js';

export type { GatewaySessionInfo, WaitForSessions } from './gateway.js';
export type { InteractionPlace, SlashCommandSpec } from './interactions.js';
export type { FakeFault, RecordedRequest } from './rest.js';
export { shardOfSnowflake, snowflakeOnShard } from './snowflake.js';
export type {
  FakeAttachment,
  FakeCallback,
  FakeGuild,
  FakeGuildOptions,
  FakeMessage,
  FakeUser,
} from './world.js';

/**
 * A fake Discord for tests, on 127.0.0.1: the REST API (under `<apiBase>/v10`) and the gateway that a
 * real discord.js Client talks to. Point the client at it with `rest: { api: fake.apiBase }` and the
 * fake's token; `GET /gateway/bot` hands out the fake gateway's ws:// URL, so nothing reaches Discord.
 *
 * Tests then act as Discord users (`dispatchSlashCommand`, `dispatchButton`) and await what the bot
 * answered (`waitForReply`, `waitForFollowUp`, `waitForRequest`): every wait is a promise resolved by the
 * request that satisfies it, never a sleep. Bodies the bot sends are checked against Discord's OpenAPI
 * description and refused with 400 like Discord would; `schemaViolations()` lists them.
 *
 * Several guilds and shards: `addGuild({ shardOf: [1, 2] })` adds a guild whose events reach only the
 * sessions that identified as shard 1 of 2 (see gateway.ts for the routing and what it was checked
 * against); the dispatch helpers take the guild or channel to act in.
 */

export interface FakeDiscordOptions {
  /** The bot token the fake accepts (a random one by default). */
  token?: string;
  applicationId?: string;
  /** `reject` (default) answers bodies that break the OpenAPI schema with 400; `record` lets them through. */
  validation?: 'reject' | 'record';
  /** HELLO's heartbeat interval; Discord's usual 41.25 s by default. */
  heartbeatIntervalMs?: number;
  /** Privileged intents the application may request (none by default). */
  grantedPrivilegedIntents?: number;
  /** How long a wait may take before it fails with a description of what the bot did (default 10 s). */
  waitTimeoutMs?: number;
  /** `shards` of GET /gateway/bot, the count Discord recommends (1 by default). */
  recommendedShards?: number;
  /** `session_start_limit.max_concurrency` of GET /gateway/bot (1 by default, as for most bots). */
  maxConcurrency?: number;
  /** Most guilds one shard may hold before IDENTIFY is closed with 4011 (2,500 by default, as Discord). */
  maxGuildsPerShard?: number;
  /** Name and shard placement of the default guild (`shardOf: [0, 2]` puts it on shard 0 of 2). */
  defaultGuild?: FakeGuildOptions;
}

export interface SentInteraction {
  id: string;
  token: string;
}

export class FakeDiscord {
  readonly token: string;
  readonly world: FakeWorld;
  readonly rest: FakeRest;
  readonly gateway: FakeGateway;
  readonly #server: Server;
  readonly #waitTimeoutMs: number;
  readonly #recipients = new Map<string, GatewaySessionInfo[]>();

  private constructor(server: Server, options: FakeDiscordOptions) {
    this.#server = server;
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 10_000;
    this.token = options.token ?? `fake.${randomBytes(18).toString('base64url')}`;
    this.world = new FakeWorld(this.origin, {
      applicationId: options.applicationId,
      ...(options.defaultGuild ? { defaultGuild: options.defaultGuild } : {}),
    });
    this.gateway = new FakeGateway({
      server,
      path: '/gateway',
      world: this.world,
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      grantedPrivilegedIntents: options.grantedPrivilegedIntents ?? 0,
      ...(options.maxGuildsPerShard === undefined ? {} : { maxGuildsPerShard: options.maxGuildsPerShard }),
    });
    this.rest = new FakeRest(this.world, {
      token: this.token,
      gatewayUrl: () => this.gateway.url,
      validator: discordSchemaValidator(),
      validation: options.validation ?? 'reject',
      recommendedShards: options.recommendedShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 1,
    });
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', this.origin);
      const api = /^\/api\/v10(\/.*)$/.exec(url.pathname);
      if (api?.[1]) {
        // Only a client that hangs up mid-body makes this fail; there is no one left to answer.
        this.rest.handle(req, res, api[1], url.searchParams).catch(() => res.destroy());
        return;
      }
      const attachment = /^\/attachments\/\d+\/(\d+)\/[^/]+$/.exec(url.pathname);
      const bytes = attachment?.[1] ? this.#attachmentBytes(attachment[1]) : null;
      if (bytes) {
        res
          .writeHead(200, { 'Content-Type': bytes.contentType ?? 'application/octet-stream' })
          .end(bytes.bytes);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"404: Not Found","code":0}');
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new FakeDiscord(server, options);
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The value for discord.js's `rest.api` option and DISCORD_API_BASE. */
  get apiBase(): string {
    return `${this.origin}/api`;
  }

  get applicationId(): string {
    return this.world.applicationId;
  }

  get guildId(): string {
    return this.world.guildId;
  }

  get channelId(): string {
    return this.world.channelId;
  }

  get requests(): readonly RecordedRequest[] {
    return this.rest.requests;
  }

  get identifies(): readonly GatewayIdentifyData[] {
    return this.gateway.identifies;
  }

  /** Requests whose body broke Discord's OpenAPI schema (each with its `schemaErrors`). */
  schemaViolations(): RecordedRequest[] {
    return this.rest.requests.filter((r) => r.schemaErrors !== null && r.schemaErrors.length > 0);
  }

  /** The default guild (the one `guildId` and `channelId` name). */
  get guild(): FakeGuild {
    return this.world.defaultGuild;
  }

  /** Every guild the bot is in, the default one first. */
  get guilds(): FakeGuild[] {
    return [...this.world.guilds.values()];
  }

  /**
   * Adds a guild the bot is in (its own id, name, @everyone role and one text channel). With
   * `shardOf: [shardId, shardCount]` its id puts it on that shard. A bot already connected is sent its
   * GUILD_CREATE, on the shard it belongs to, as when a bot joins a guild.
   */
  addGuild(options: FakeGuildOptions = {}): FakeGuild {
    const guild = this.world.addGuild(options);
    if (this.gateway.identified) {
      this.gateway.dispatch(GatewayDispatchEvents.GuildCreate, this.world.guildCreate(guild));
    }
    return guild;
  }

  /**
   * Adds a member to a guild (`options.guild`, the default guild when absent); role names that do not
   * exist there yet are created. The same person in another guild: `addUser({ id: user.user.id, … })`.
   */
  addUser(options: FakeUserOptions): FakeUser {
    const guild = options.guild ?? this.world.defaultGuild;
    const known = new Set(guild.roles.keys());
    const user = this.world.addUser(options);
    // A role made after the bot connected reaches it as Discord sends it: GUILD_ROLE_CREATE (Guilds intent).
    for (const role of guild.roles.values()) {
      if (!known.has(role.id) && this.gateway.identified) {
        this.gateway.dispatch(GatewayDispatchEvents.GuildRoleCreate, { guild_id: guild.id, role });
      }
    }
    return user;
  }

  injectFault(fault: FakeFault): void {
    this.rest.injectFault(fault);
  }

  /**
   * Sends an INTERACTION_CREATE to the sessions of the shard its guild is on (shard 0 when it has no
   * guild) and starts tracking the answers to it.
   */
  dispatchInteraction(payload: FakeInteractionRecord['payload']): SentInteraction {
    this.world.registerInteraction(payload);
    const recipients = this.gateway.dispatch(
      GatewayDispatchEvents.InteractionCreate,
      payload,
      payload.guild_id ?? null,
    );
    this.#recipients.set(payload.id, recipients);
    return { id: payload.id, token: payload.token };
  }

  /** The gateway sessions an interaction was sent to (whether their socket was open at the time). */
  recipientsOf(interactionId: string): GatewaySessionInfo[] {
    const recipients = this.#recipients.get(interactionId);
    if (!recipients) throw new Error(`The fake never dispatched interaction ${interactionId}`);
    return recipients;
  }

  /** A slash command by `user`, in `place` (by default the guild `user` is a member of). */
  dispatchSlashCommand(user: FakeUser, spec: SlashCommandSpec, place?: InteractionPlace): SentInteraction {
    return this.dispatchInteraction(slashCommandInteraction(this.world, user, spec, place));
  }

  /** A slash command `user` sends in their DM with the bot (delivered to shard 0 only, as on Discord). */
  dispatchDirectMessageSlashCommand(user: FakeUser, spec: SlashCommandSpec): SentInteraction {
    return this.dispatchInteraction(directMessageSlashCommandInteraction(this.world, user, spec));
  }

  /** Creates a slash-command interaction without sending it, for tests that answer it over REST themselves. */
  createSlashCommand(user: FakeUser, spec: SlashCommandSpec, place?: InteractionPlace): SentInteraction {
    const payload = slashCommandInteraction(this.world, user, spec, place);
    this.world.registerInteraction(payload);
    return { id: payload.id, token: payload.token };
  }

  dispatchAutocomplete(
    user: FakeUser,
    spec: SlashCommandSpec & { focused: string },
    place?: InteractionPlace,
  ): SentInteraction {
    return this.dispatchInteraction(autocompleteInteraction(this.world, user, spec, place));
  }

  /**
   * A press of a button with `customId` on `message` (by default a bot message the fake makes for it),
   * in `place` (by default the message's channel, else the guild `user` is a member of).
   */
  dispatchButton(
    user: FakeUser,
    customId: string,
    message?: FakeMessage,
    place?: InteractionPlace,
  ): SentInteraction {
    return this.dispatchInteraction(buttonInteraction(this.world, user, customId, message, place));
  }

  interaction(id: string): FakeInteractionRecord {
    const record = this.world.interactions.get(id);
    if (!record) throw new Error(`The fake never dispatched interaction ${id}`);
    return record;
  }

  message(id: string): FakeMessage {
    const message = this.world.messages.get(id);
    if (!message) throw new Error(`The fake holds no message ${id}`);
    return message;
  }

  /**
   * Resolves with the first value `probe` returns that is not undefined, checking now and after every
   * request and every change of the gateway's sessions. Fails after the wait timeout with `what` and the requests seen, so a bot that never answers
   * gives a readable failure instead of a test timeout.
   */
  waitUntil<T>(probe: () => T | undefined, what: string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        const seen = this.rest.requests
          .map((r) => `  ${r.status} ${r.method} ${r.route ?? r.path}`)
          .join('\n');
        reject(
          new Error(
            `Timed out waiting for ${what}. Requests the fake Discord received:\n${seen || '  (none)'}`,
          ),
        );
      }, this.#waitTimeoutMs);
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        stop();
        resolve(value);
      };
      const stopRest = this.rest.onChange(check);
      const stopGateway = this.gateway.onChange(check);
      const stop = () => {
        stopRest();
        stopGateway();
      };
    });
  }

  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    what = 'a matching request',
  ): Promise<RecordedRequest> {
    return this.waitUntil(() => this.rest.requests.find(predicate), what);
  }

  /** The bot's (accepted) interaction callback: reply, deferral, update, autocomplete choices. */
  waitForCallback(interactionId: string): Promise<FakeCallback> {
    return this.waitUntil(
      () => this.interaction(interactionId).callbacks[0],
      `the callback to interaction ${interactionId}`,
    );
  }

  /**
   * The message the user sees as the bot's answer: the reply itself, or, after a deferral, the original
   * response once edited or else the first follow-up.
   */
  waitForReply(interactionId: string): Promise<FakeMessage> {
    return this.waitUntil(() => {
      const record = this.interaction(interactionId);
      const callback = record.callbacks[0];
      if (!callback) return undefined;
      const original = record.originalMessageId
        ? this.world.messages.get(record.originalMessageId)
        : undefined;
      if (callback.type === InteractionResponseType.ChannelMessageWithSource) return original;
      if (original && original.editedAt !== null) return original;
      const first = record.followUpIds[0];
      return first ? this.world.messages.get(first) : undefined;
    }, `a reply to interaction ${interactionId}`);
  }

  /** The `index`-th follow-up message (0 = first) sent for an interaction. */
  waitForFollowUp(interactionId: string, index = 0): Promise<FakeMessage> {
    return this.waitUntil(
      () => {
        const id = this.interaction(interactionId).followUpIds[index];
        return id ? this.world.messages.get(id) : undefined;
      },
      `follow-up #${index + 1} to interaction ${interactionId}`,
    );
  }

  #attachmentBytes(attachmentId: string) {
    for (const message of this.world.messages.values()) {
      const found = message.attachments.find((a) => a.id === attachmentId);
      if (found) return found;
    }
    return null;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return FakeDiscord.start(options);
}
