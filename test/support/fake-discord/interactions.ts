import { randomBytes } from 'node:crypto';
import {
  type APIApplicationCommand,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandOption,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIInteractionGuildMember,
  type APIMessageComponentButtonInteraction,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ButtonStyle,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
} from 'discord.js';
import { nextSnowflake } from './snowflake.js';
import { BOT_PERMISSIONS, type FakeMessage, type FakeUser, type FakeWorld } from './world.js';

/**
 * Builders of INTERACTION_CREATE payloads as Discord sends them for a member of the fake guild:
 * slash commands (with options typed from the registered command when there is one), autocomplete
 * requests and button presses. Field sets follow discord-api-types, which discord.js reads.
 */

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

function registeredCommand(world: FakeWorld, name: string): APIApplicationCommand | undefined {
  const guild = world.guildCommands.get(world.guildId) ?? [];
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
  world: FakeWorld,
  spec: SlashCommandSpec,
  focused?: string,
): APIApplicationCommandInteractionDataOption[] {
  const command = registeredCommand(world, spec.name);
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
function base(world: FakeWorld, user: FakeUser) {
  return {
    id: nextSnowflake(),
    application_id: world.applicationId,
    token: interactionToken(),
    version: 1 as const,
    guild_id: world.guildId,
    guild: { id: world.guildId, locale: Locale.EnglishUS, features: [] },
    channel_id: world.channelId,
    channel: world.channel(),
    member: interactionMember(user, world),
    app_permissions: BOT_PERMISSIONS.toString(),
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: world.guildId },
    context: InteractionContextType.Guild,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
}

export function slashCommandInteraction(
  world: FakeWorld,
  user: FakeUser,
  spec: SlashCommandSpec,
): APIChatInputApplicationCommandGuildInteraction {
  const command = registeredCommand(world, spec.name);
  return {
    ...base(world, user),
    type: InteractionType.ApplicationCommand,
    data: {
      id: command?.id ?? nextSnowflake(),
      name: spec.name,
      type: ApplicationCommandType.ChatInput,
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
      options: commandOptions(world, spec),
    },
  };
}

export function autocompleteInteraction(
  world: FakeWorld,
  user: FakeUser,
  spec: SlashCommandSpec & { focused: string },
): APIApplicationCommandAutocompleteGuildInteraction {
  const command = registeredCommand(world, spec.name);
  return {
    ...base(world, user),
    type: InteractionType.ApplicationCommandAutocomplete,
    data: {
      id: command?.id ?? nextSnowflake(),
      name: spec.name,
      type: ApplicationCommandType.ChatInput,
      options: commandOptions(world, spec, spec.focused),
    },
  };
}

/**
 * A press of the button `customId`. Without `message`, the fake first posts a bot message carrying that
 * button in the channel, as if the bot had sent it earlier, so that "update message" answers have a target.
 */
export function buttonInteraction(
  world: FakeWorld,
  user: FakeUser,
  customId: string,
  message?: FakeMessage,
): APIMessageComponentButtonInteraction {
  const target =
    message ??
    world.createMessage(
      world.channelId,
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
    ...base(world, user),
    type: InteractionType.MessageComponent,
    message: world.apiMessage(target),
    data: { custom_id: customId, component_type: ComponentType.Button },
  };
}
