import {
  type APIApplicationCommand,
  type APIAttachment,
  type APIEmbed,
  type APIGuildMember,
  type APIGuildTextChannel,
  type APIInteraction,
  type APIMessage,
  type APIRole,
  type APIUser,
  ChannelType,
  type GatewayGuildCreateDispatchData,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  type GuildMemberFlags,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  MessageFlags,
  MessageType,
  PermissionFlagsBits,
  type RoleFlags,
} from 'discord.js';
import { nextSnowflake, snowflakeOnShard } from './snowflake.js';

/**
 * The fake's in-memory Discord: guilds (a default one, plus any a test adds) each with one text
 * channel, its roles and members; the bot's user, registered commands, messages (with attachment
 * bytes) and the interactions sent to the bot. Objects are kept in a simple model and rendered to
 * Discord's JSON shapes (typed by discord-api-types) when the gateway or REST sends them.
 */

/** A member of one guild: the same person in two guilds is two FakeUsers sharing `user.id`. */
export interface FakeUser {
  user: APIUser;
  /** The guild this membership is in. */
  guildId: string;
  /** Role ids in that guild (the @everyone role is implied, as on Discord). */
  roles: string[];
  /** Permissions the member has in the channel, sent as `member.permissions` in interactions. */
  permissions: bigint;
  joinedAt: string;
  nick: string | null;
}

export interface FakeUserOptions {
  id?: string;
  username: string;
  globalName?: string | null;
  /** Role names of the guild (`Quiz Host`, …); a role that does not exist yet is created. */
  roles?: string[];
  /** Extra permission bits on top of @everyone's, e.g. `PermissionFlagsBits.ManageGuild`. */
  permissions?: bigint;
  bot?: boolean;
  /** The guild to join (the default guild when absent). */
  guild?: FakeGuild;
}

/** A guild the bot is in, with its one text channel. */
export interface FakeGuild {
  id: string;
  name: string;
  channelId: string;
  channelName: string;
  ownerId: string;
  /** When the bot joined it. */
  createdAt: string;
  /** Its roles by id; the @everyone role's id is the guild's id, as on Discord. */
  roles: Map<string, APIRole>;
  /** Its members by user id, the bot among them. */
  members: Map<string, FakeUser>;
}

export interface FakeGuildOptions {
  name?: string;
  channelName?: string;
  /**
   * `[shardId, shardCount]`: make the guild's id one that Discord's sharding formula
   * `(guild_id >> 22) % shardCount` puts on `shardId`, so its events go to that shard's sessions.
   */
  shardOf?: readonly [number, number];
}

export interface FakeAttachment {
  id: string;
  filename: string;
  contentType: string | null;
  description: string | null;
  bytes: Buffer;
  /** Where the fake serves the bytes (its CDN stand-in). */
  url: string;
}

export interface FakeMessage {
  id: string;
  channelId: string;
  author: APIUser;
  content: string;
  embeds: APIEmbed[];
  components: unknown[];
  attachments: FakeAttachment[];
  flags: number;
  createdAt: string;
  editedAt: string | null;
  /** Set for interaction responses and follow-ups: the interaction they answer. */
  interactionId: string | null;
  /** Set for messages sent through an interaction webhook. */
  webhookId: string | null;
}

/** The parts of a message create/edit body the fake keeps (Discord's names). */
export interface MessageBody {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: unknown[] | null;
  flags?: number | null;
  attachments?: { id: string | number; filename?: string | null; description?: string | null }[] | null;
}

export interface UploadedFile {
  /** The multipart field name, `files[0]`. */
  field: string;
  filename: string;
  contentType: string | null;
  bytes: Buffer;
}

export const EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.EmbedLinks;

/** What the bot itself may do in the channel (`app_permissions` of interactions). */
export const BOT_PERMISSIONS =
  EVERYONE_PERMISSIONS | PermissionFlagsBits.ManageMessages | PermissionFlagsBits.AddReactions;

export function apiUser(options: {
  id: string;
  username: string;
  globalName?: string | null;
  bot?: boolean;
}): APIUser {
  return {
    id: options.id,
    username: options.username,
    discriminator: '0',
    global_name: options.globalName ?? null,
    avatar: null,
    ...(options.bot ? { bot: true } : {}),
  };
}

export class FakeWorld {
  readonly applicationId: string;
  readonly botUser: APIUser;
  /** Every guild the bot is in, the default one first. */
  readonly guilds = new Map<string, FakeGuild>();
  /** The guild tests use when they name none (the only one for single-guild tests). */
  readonly defaultGuild: FakeGuild;
  readonly guildId: string;
  readonly guildName: string;
  readonly channelId: string;
  readonly channelName: string;
  readonly ownerId: string;
  readonly createdAt: string;
  /** The default guild's roles. */
  readonly roles: Map<string, APIRole>;
  /** The default guild's members. */
  readonly users: Map<string, FakeUser>;
  readonly messages = new Map<string, FakeMessage>();
  readonly globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  readonly interactions = new Map<string, FakeInteractionRecord>();
  /** Each user's DM channel with the bot, by user id. */
  readonly #dmChannels = new Map<string, string>();
  readonly #interactionsByToken = new Map<string, FakeInteractionRecord>();

  constructor(
    readonly origin: string,
    options: { applicationId?: string; botName?: string; defaultGuild?: FakeGuildOptions } = {},
  ) {
    this.applicationId = options.applicationId ?? nextSnowflake();
    // A bot user's id is its application's id, as for every bot created in the developer portal.
    this.botUser = apiUser({
      id: this.applicationId,
      username: options.botName ?? 'MediConfusion',
      bot: true,
    });
    this.defaultGuild = this.addGuild({
      name: 'MediConfusion Test Server',
      channelName: 'radiology-quiz',
      ...options.defaultGuild,
    });
    this.guildId = this.defaultGuild.id;
    this.guildName = this.defaultGuild.name;
    this.channelId = this.defaultGuild.channelId;
    this.channelName = this.defaultGuild.channelName;
    this.ownerId = this.defaultGuild.ownerId;
    this.createdAt = this.defaultGuild.createdAt;
    this.roles = this.defaultGuild.roles;
    this.users = this.defaultGuild.members;
  }

  /** Adds a guild the bot is in, with an @everyone role, one text channel and the bot as member. */
  addGuild(options: FakeGuildOptions = {}): FakeGuild {
    const id = options.shardOf ? snowflakeOnShard(options.shardOf[0], options.shardOf[1]) : nextSnowflake();
    const number = this.guilds.size + 1;
    const guild: FakeGuild = {
      id,
      name: options.name ?? `Test Server ${number}`,
      channelId: nextSnowflake(),
      channelName: options.channelName ?? `quiz-${number}`,
      ownerId: nextSnowflake(),
      createdAt: new Date().toISOString(),
      roles: new Map(),
      members: new Map(),
    };
    this.guilds.set(id, guild);
    this.#addRole(guild, '@everyone', EVERYONE_PERMISSIONS, id);
    guild.members.set(this.botUser.id, {
      user: this.botUser,
      guildId: id,
      roles: [],
      permissions: BOT_PERMISSIONS,
      joinedAt: guild.createdAt,
      nick: null,
    });
    return guild;
  }

  /** The id of `userId`'s DM channel with the bot (made on first use, then the same). */
  dmChannelId(userId: string): string {
    let id = this.#dmChannels.get(userId);
    if (id === undefined) {
      id = nextSnowflake();
      this.#dmChannels.set(userId, id);
    }
    return id;
  }

  guild(id: string): FakeGuild | undefined {
    return this.guilds.get(id);
  }

  /** The guild whose text channel `channelId` is. */
  guildOfChannel(channelId: string): FakeGuild | undefined {
    for (const guild of this.guilds.values()) if (guild.channelId === channelId) return guild;
    return undefined;
  }

  /**
   * `user`'s membership in `guild`: `user` itself when it is a member there, else the member of that
   * guild with the same user id. Throws when that person never joined the guild.
   */
  memberIn(guild: FakeGuild, user: FakeUser): FakeUser {
    if (user.guildId === guild.id) return user;
    const member = guild.members.get(user.user.id);
    if (!member) {
      throw new Error(
        `${user.user.username} is not a member of guild ${guild.name} (${guild.id}); add them with addUser({ guild })`,
      );
    }
    return member;
  }

  #addRole(guild: FakeGuild, name: string, permissions: bigint, id: string = nextSnowflake()): APIRole {
    const role: APIRole = {
      id,
      name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: guild.roles.size,
      permissions: permissions.toString(),
      managed: false,
      mentionable: false,
      // No flag set; the flag enums have no member for zero.
      flags: 0 as RoleFlags,
    };
    guild.roles.set(id, role);
    return role;
  }

  /** The role called `name` in `guild` (the default guild when absent), created when missing. */
  roleByName(name: string, guild: FakeGuild = this.defaultGuild): APIRole {
    for (const role of guild.roles.values()) if (role.name === name) return role;
    return this.#addRole(guild, name, 0n);
  }

  addUser(options: FakeUserOptions): FakeUser {
    const guild = options.guild ?? this.defaultGuild;
    const id = options.id ?? nextSnowflake();
    const roles = (options.roles ?? []).map((name) => this.roleByName(name, guild).id);
    const rolePermissions = roles.reduce(
      (bits, roleId) => bits | BigInt(guild.roles.get(roleId)?.permissions ?? 0),
      0n,
    );
    const user: FakeUser = {
      user: apiUser({
        id,
        username: options.username,
        globalName: options.globalName ?? null,
        bot: options.bot,
      }),
      guildId: guild.id,
      roles,
      permissions: EVERYONE_PERMISSIONS | rolePermissions | (options.permissions ?? 0n),
      joinedAt: new Date().toISOString(),
      nick: null,
    };
    guild.members.set(id, user);
    return user;
  }

  member(user: FakeUser): APIGuildMember {
    return {
      user: user.user,
      nick: user.nick,
      avatar: null,
      banner: null,
      roles: user.roles,
      joined_at: user.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  /** The text channel of `guild` (the default guild when absent). */
  channel(guild: FakeGuild = this.defaultGuild): APIGuildTextChannel<ChannelType.GuildText> {
    return {
      id: guild.channelId,
      type: ChannelType.GuildText,
      guild_id: guild.id,
      name: guild.channelName,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      topic: 'Confusing pairs, one question at a time',
      last_message_id: null,
      parent_id: null,
      rate_limit_per_user: 0,
    };
  }

  guildCreate(guild: FakeGuild = this.defaultGuild): GatewayGuildCreateDispatchData {
    const bot = guild.members.get(this.botUser.id);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.Low,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.AllMembers,
      roles: [...guild.roles.values()],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: guild.channelId,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
      rules_channel_id: null,
      vanity_url_code: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: Locale.EnglishUS,
      public_updates_channel_id: null,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      max_members: 500_000,
      max_video_channel_users: 25,
      joined_at: guild.createdAt,
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      voice_states: [],
      members: bot ? [this.member(bot)] : [],
      channels: [this.channel(guild)],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** Creates a message from a create body and the uploaded files its `attachments` refer to. */
  createMessage(
    channelId: string,
    body: MessageBody,
    files: UploadedFile[],
    extra: { interactionId?: string | null; webhookId?: string | null; flags?: number } = {},
  ): FakeMessage {
    const id = nextSnowflake();
    const message: FakeMessage = {
      id,
      channelId,
      author: this.botUser,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      attachments: this.#attachments(channelId, body.attachments ?? null, files, []),
      flags: (body.flags ?? 0) | (extra.flags ?? 0),
      createdAt: new Date().toISOString(),
      editedAt: null,
      interactionId: extra.interactionId ?? null,
      webhookId: extra.webhookId ?? null,
    };
    this.messages.set(id, message);
    return message;
  }

  /**
   * Applies an edit body: fields present replace the old ones (null clears them), `attachments` lists
   * the attachments to keep plus the new uploads, and new uploads are added when it is absent.
   */
  editMessage(message: FakeMessage, body: MessageBody, files: UploadedFile[]): FakeMessage {
    if (body.content !== undefined) message.content = body.content ?? '';
    if (body.embeds !== undefined) message.embeds = body.embeds ?? [];
    if (body.components !== undefined) message.components = body.components ?? [];
    if (body.flags !== undefined && body.flags !== null) {
      // Only SUPPRESS_EMBEDS can change on edit; EPHEMERAL and LOADING are fixed by the response.
      message.flags =
        (message.flags & ~MessageFlags.SuppressEmbeds) | (body.flags & MessageFlags.SuppressEmbeds);
    }
    if (body.attachments !== undefined || files.length > 0) {
      message.attachments = this.#attachments(
        message.channelId,
        body.attachments ?? null,
        files,
        message.attachments,
      );
    }
    message.flags &= ~MessageFlags.Loading;
    message.editedAt = new Date().toISOString();
    return message;
  }

  #attachments(
    channelId: string,
    listed: MessageBody['attachments'],
    files: UploadedFile[],
    existing: FakeAttachment[],
  ): FakeAttachment[] {
    const byField = new Map(files.map((file) => [file.field, file]));
    const upload = (file: UploadedFile, filename: string, description: string | null): FakeAttachment => {
      const id = nextSnowflake();
      return {
        id,
        filename,
        contentType: file.contentType,
        description,
        bytes: file.bytes,
        url: `${this.origin}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
      };
    };
    if (listed === null || listed === undefined) {
      return [...existing, ...files.map((file) => upload(file, file.filename, null))];
    }
    const result: FakeAttachment[] = [];
    for (const entry of listed) {
      const id = String(entry.id);
      const kept = existing.find((attachment) => attachment.id === id);
      if (kept) {
        result.push(kept);
        continue;
      }
      const file = byField.get(`files[${id}]`);
      if (file) result.push(upload(file, entry.filename ?? file.filename, entry.description ?? null));
    }
    return result;
  }

  apiMessage(message: FakeMessage): APIMessage {
    const attachments: APIAttachment[] = message.attachments.map((attachment) => ({
      id: attachment.id,
      filename: attachment.filename,
      size: attachment.bytes.length,
      url: attachment.url,
      proxy_url: attachment.url,
      ...(attachment.contentType ? { content_type: attachment.contentType } : {}),
      ...(attachment.description ? { description: attachment.description } : {}),
    }));
    const interaction = message.interactionId ? this.interactions.get(message.interactionId) : undefined;
    return {
      id: message.id,
      channel_id: message.channelId,
      author: message.author,
      content: message.content,
      timestamp: message.createdAt,
      edited_timestamp: message.editedAt,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments,
      embeds: message.embeds,
      pinned: false,
      type: interaction ? MessageType.ChatInputCommand : MessageType.Default,
      flags: message.flags,
      // The component shapes are checked against the OpenAPI schema on the way in.
      components: message.components as APIMessage['components'],
      ...(message.webhookId ? { webhook_id: message.webhookId } : {}),
      ...(interaction ? { application_id: this.applicationId } : {}),
    };
  }

  registerInteraction(payload: APIInteraction): FakeInteractionRecord {
    const record: FakeInteractionRecord = {
      id: payload.id,
      token: payload.token,
      payload,
      callbacks: [],
      originalMessageId: null,
      followUpIds: [],
    };
    this.interactions.set(record.id, record);
    this.#interactionsByToken.set(record.token, record);
    return record;
  }

  interactionByToken(token: string): FakeInteractionRecord | undefined {
    return this.#interactionsByToken.get(token);
  }
}

/** What the bot answered to one interaction callback request. */
export interface FakeCallback {
  /** 4 reply, 5 deferred reply, 6 deferred update, 7 update message, 8 autocomplete result, 9 modal. */
  type: number;
  data: Record<string, unknown> | null;
  files: UploadedFile[];
  ephemeral: boolean;
}

export interface FakeInteractionRecord {
  id: string;
  token: string;
  payload: APIInteraction;
  /** The accepted callback (at most one: a second is refused with 40060 "already acknowledged"). */
  callbacks: FakeCallback[];
  originalMessageId: string | null;
  followUpIds: string[];
}
