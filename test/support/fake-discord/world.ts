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
import { nextSnowflake } from './snowflake.js';

/**
 * The fake's in-memory Discord: one guild with one text channel, its roles and members, the bot's
 * user, registered commands, messages (with attachment bytes) and the interactions sent to the bot.
 * Objects are kept in a simple model and rendered to Discord's JSON shapes (typed by
 * discord-api-types) when the gateway or REST sends them.
 */

export interface FakeUser {
  user: APIUser;
  /** Role ids in the fake guild (the @everyone role is implied, as on Discord). */
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
  /** Role names of the fake guild (`Quiz Host`, …); a role that does not exist yet is created. */
  roles?: string[];
  /** Extra permission bits on top of @everyone's, e.g. `PermissionFlagsBits.ManageGuild`. */
  permissions?: bigint;
  bot?: boolean;
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
  readonly guildId = nextSnowflake();
  readonly guildName = 'MediConfusion Test Server';
  readonly channelId = nextSnowflake();
  readonly channelName = 'radiology-quiz';
  readonly ownerId = nextSnowflake();
  readonly createdAt = new Date().toISOString();
  readonly roles = new Map<string, APIRole>();
  readonly users = new Map<string, FakeUser>();
  readonly messages = new Map<string, FakeMessage>();
  readonly globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  readonly interactions = new Map<string, FakeInteractionRecord>();
  readonly #interactionsByToken = new Map<string, FakeInteractionRecord>();

  constructor(
    readonly origin: string,
    options: { applicationId?: string; botName?: string } = {},
  ) {
    this.applicationId = options.applicationId ?? nextSnowflake();
    // A bot user's id is its application's id, as for every bot created in the developer portal.
    this.botUser = apiUser({
      id: this.applicationId,
      username: options.botName ?? 'MediConfusion',
      bot: true,
    });
    this.#addRole('@everyone', EVERYONE_PERMISSIONS, this.guildId);
    this.users.set(this.botUser.id, {
      user: this.botUser,
      roles: [],
      permissions: BOT_PERMISSIONS,
      joinedAt: this.createdAt,
      nick: null,
    });
  }

  #addRole(name: string, permissions: bigint, id: string = nextSnowflake()): APIRole {
    const role: APIRole = {
      id,
      name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: this.roles.size,
      permissions: permissions.toString(),
      managed: false,
      mentionable: false,
      // No flag set; the flag enums have no member for zero.
      flags: 0 as RoleFlags,
    };
    this.roles.set(id, role);
    return role;
  }

  roleByName(name: string): APIRole {
    for (const role of this.roles.values()) if (role.name === name) return role;
    return this.#addRole(name, 0n);
  }

  addUser(options: FakeUserOptions): FakeUser {
    const id = options.id ?? nextSnowflake();
    const roles = (options.roles ?? []).map((name) => this.roleByName(name).id);
    const rolePermissions = roles.reduce(
      (bits, roleId) => bits | BigInt(this.roles.get(roleId)?.permissions ?? 0),
      0n,
    );
    const user: FakeUser = {
      user: apiUser({
        id,
        username: options.username,
        globalName: options.globalName ?? null,
        bot: options.bot,
      }),
      roles,
      permissions: EVERYONE_PERMISSIONS | rolePermissions | (options.permissions ?? 0n),
      joinedAt: new Date().toISOString(),
      nick: null,
    };
    this.users.set(id, user);
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

  channel(): APIGuildTextChannel<ChannelType.GuildText> {
    return {
      id: this.channelId,
      type: ChannelType.GuildText,
      guild_id: this.guildId,
      name: this.channelName,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      topic: 'Confusing pairs, one question at a time',
      last_message_id: null,
      parent_id: null,
      rate_limit_per_user: 0,
    };
  }

  guildCreate(): GatewayGuildCreateDispatchData {
    const bot = this.users.get(this.botUser.id);
    return {
      id: this.guildId,
      name: this.guildName,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.Low,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.AllMembers,
      roles: [...this.roles.values()],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: this.channelId,
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
      joined_at: this.createdAt,
      large: false,
      unavailable: false,
      member_count: this.users.size,
      voice_states: [],
      members: bot ? [this.member(bot)] : [],
      channels: [this.channel()],
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
