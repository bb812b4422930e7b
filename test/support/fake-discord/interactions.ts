import { randomBytes } from 'node:crypto';
import {
  type APIApplicationCommand,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandOption,
  type APIChatInputApplicationCommandDMInteraction,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIInteractionGuildMember,
  type APIMessageComponentButtonInteraction,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ButtonStyle,
  ChannelType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
} from 'discord.js';
import { nextSnowflake } from './snowflake.js';
import { BOT_PERMISSIONS, type FakeGuild, type FakeMessage, type FakeUser, type FakeWorld } from './world.js';

/**
 * Builders of INTERACTION_CREATE payloads as Discord sends them for a member of a fake guild:
 * slash commands (with options typed from the registered command when there is one), autocomplete
 * requests and button presses. Field sets follow discord-api-types, which discord.js reads.
 */

/**
 * Where an interaction happens: a guild (its text channel) or a channel (its guild). Absent, it is
 * the guild the user is a member of.
 */
export interface InteractionPlace {
  guild?: FakeGuild;
  channelId?: string;
}

/** The guild an interaction happens in, and the member of it who acts. */
function resolvePlace(
  world: FakeWorld,
  user: FakeUser,
  place: InteractionPlace = {},
): { guild: FakeGuild; member: FakeUser } {
  const byChannel = place.channelId === undefined ? undefined : world.guildOfChannel(place.channelId);
  if (place.channelId !== undefined && !byChannel) {
    throw new Error(`The fake holds no channel ${place.channelId}`);
  }
  if (place.guild && byChannel && place.guild.id !== byChannel.id) {
    throw new Error(`Channel ${place.channelId} is not in guild ${place.guild.name} (${place.guild.id})`);
  }
  const guild = place.guild ?? byChannel ?? world.guild(user.guildId);
  if (!guild) throw new Error(`The fake holds no guild ${user.guildId}`);
  return { guild, member: world.memberIn(guild, user) };
}

export type OptionValue = string | number | boolean;

export interface SlashCommandSpec {
  name: string;
  /** `/quiz start …`: the subcommand (and its group) whose options `options` are. */
  subcommand?: string;
  subcommandGroup?: string;
  options?: Record<string, OptionValue>;
}

/** Discord's attachment size limit for an unboosted guild (10 MiB). */
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

function interactionToken(): string {
  // Real tokens are long opaque strings; only their uniqueness matters here.
  return `aW50ZXJhY3Rpb246${randomBytes(24).toString('base64url')}`;
}

function registeredCommand(
  world: FakeWorld,
  guildId: string,
  name: string,
): APIApplicationCommand | undefined {
  const guild = world.guildCommands.get(guildId) ?? [];
  return guild.find((c) => c.name === name) ?? world.globalCommands.find((c) => c.name === name);
}

/** The option definitions that apply at the (sub)command level the spec names. */
function optionDefinitions(
  command: APIApplicationCommand | undefined,
  spec: SlashCommandSpec,
): APIApplicationCommandOption[] {
  let level: APIApplicationCommandOption[] = command?.options ?? [];
  for (const name of [spec.subcommandGroup, spec.subcommand]) {
    if (name === undefined) continue;
    const found = level.find((option) => option.name === name);
    level = found && 'options' in found && Array.isArray(found.options) ? found.options : [];
  }
  return level;
}

function inferType(value: OptionValue): ApplicationCommandOptionType {
  if (typeof value === 'boolean') return ApplicationCommandOptionType.Boolean;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? ApplicationCommandOptionType.Integer
      : ApplicationCommandOptionType.Number;
  }
  return ApplicationCommandOptionType.String;
}

function basicOptions(
  definitions: APIApplicationCommandOption[],
  values: Record<string, OptionValue>,
  focused: string | undefined,
): APIApplicationCommandInteractionDataBasicOption[] {
  return Object.entries(values).map(([name, value]) => {
    const type = definitions.find((d) => d.name === name)?.type ?? inferType(value);
    const option = { name, type, value, ...(name === focused ? { focused: true } : {}) };
    // The union of option shapes is keyed by `type`; the value was inferred or declared to match it.
    return option as APIApplicationCommandInteractionDataBasicOption;
  });
}

function commandOptions(
  command: APIApplicationCommand | undefined,
  spec: SlashCommandSpec,
  focused?: string,
): APIApplicationCommandInteractionDataOption[] {
  const leaf = basicOptions(optionDefinitions(command, spec), spec.options ?? {}, focused);
  if (spec.subcommand === undefined) return leaf;
  const sub: APIApplicationCommandInteractionDataOption = {
    name: spec.subcommand,
    type: ApplicationCommandOptionType.Subcommand,
    options: leaf,
  };
  if (spec.subcommandGroup === undefined) return [sub];
  return [{ name: spec.subcommandGroup, type: ApplicationCommandOptionType.SubcommandGroup, options: [sub] }];
}

function interactionMember(user: FakeUser, world: FakeWorld): APIInteractionGuildMember {
  return { ...world.member(user), user: user.user, permissions: user.permissions.toString() };
}

/** The fields every guild interaction carries. */
function base(world: FakeWorld, guild: FakeGuild, member: FakeUser) {
  return {
    id: nextSnowflake(),
    application_id: world.applicationId,
    token: interactionToken(),
    version: 1 as const,
    guild_id: guild.id,
    guild: { id: guild.id, locale: Locale.EnglishUS, features: [] },
    channel_id: guild.channelId,
    channel: world.channel(guild),
    member: interactionMember(member, world),
    app_permissions: BOT_PERMISSIONS.toString(),
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guild.id },
    context: InteractionContextType.Guild,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
}

export function slashCommandInteraction(
  world: FakeWorld,
  user: FakeUser,
  spec: SlashCommandSpec,
  place?: InteractionPlace,
): APIChatInputApplicationCommandGuildInteraction {
  const { guild, member } = resolvePlace(world, user, place);
  const command = registeredCommand(world, guild.id, spec.name);
  return {
    ...base(world, guild, member),
    type: InteractionType.ApplicationCommand,
    data: {
      id: command?.id ?? nextSnowflake(),
      name: spec.name,
      type: ApplicationCommandType.ChatInput,
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
      options: commandOptions(command, spec),
    },
  };
}

export function autocompleteInteraction(
  world: FakeWorld,
  user: FakeUser,
  spec: SlashCommandSpec & { focused: string },
  place?: InteractionPlace,
): APIApplicationCommandAutocompleteGuildInteraction {
  const { guild, member } = resolvePlace(world, user, place);
  const command = registeredCommand(world, guild.id, spec.name);
  return {
    ...base(world, guild, member),
    type: InteractionType.ApplicationCommandAutocomplete,
    data: {
      id: command?.id ?? nextSnowflake(),
      name: spec.name,
      type: ApplicationCommandType.ChatInput,
      options: commandOptions(command, spec, spec.focused),
    },
  };
}

/**
 * A slash command `user` sends in their DM with the bot: no guild, so Discord delivers it to shard 0
 * only. The DM channel's id is stable per user, as on Discord.
 */
export function directMessageSlashCommandInteraction(
  world: FakeWorld,
  user: FakeUser,
  spec: SlashCommandSpec,
): APIChatInputApplicationCommandDMInteraction {
  const command = world.globalCommands.find((c) => c.name === spec.name);
  const channelId = world.dmChannelId(user.user.id);
  return {
    id: nextSnowflake(),
    application_id: world.applicationId,
    token: interactionToken(),
    version: 1,
    type: InteractionType.ApplicationCommand,
    channel_id: channelId,
    channel: {
      id: channelId,
      type: ChannelType.DM,
      recipients: [user.user],
      last_message_id: null,
      name: null,
    },
    user: user.user,
    app_permissions: BOT_PERMISSIONS.toString(),
    locale: Locale.EnglishUS,
    entitlements: [],
    // A guild-installed app reached in its bot DM: Discord gives "0" as the owner of that install.
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: '0' },
    context: InteractionContextType.BotDM,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
    data: {
      id: command?.id ?? nextSnowflake(),
      name: spec.name,
      type: ApplicationCommandType.ChatInput,
      options: commandOptions(command, spec),
    },
  };
}

/**
 * A press of the button `customId`. Without `message`, the fake first posts a bot message carrying that
 * button in the channel, as if the bot had sent it earlier, so that "update message" answers have a target.
 * With `message` and no place, the press happens in that message's channel.
 */
export function buttonInteraction(
  world: FakeWorld,
  user: FakeUser,
  customId: string,
  message?: FakeMessage,
  place?: InteractionPlace,
): APIMessageComponentButtonInteraction {
  const messageGuild = message ? world.guildOfChannel(message.channelId) : undefined;
  const { guild, member } = resolvePlace(world, user, place ?? { guild: messageGuild });
  if (messageGuild && messageGuild.id !== guild.id) {
    throw new Error(`Message ${message?.id} is not in the channel of guild ${guild.name} (${guild.id})`);
  }
  const target =
    message ??
    world.createMessage(
      guild.channelId,
      {
        content: 'A message with a button',
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              { type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Press', custom_id: customId },
            ],
          },
        ],
      },
      [],
    );
  return {
    ...base(world, guild, member),
    type: InteractionType.MessageComponent,
    message: world.apiMessage(target),
    data: { custom_id: customId, component_type: ComponentType.Button },
  };
}
