import {
  type AutocompleteInteraction,
  type BaseInteraction,
  DiscordAPIError,
  type Interaction,
  type InteractionReplyOptions,
  MessageFlags,
  type RepliableInteraction,
} from 'discord.js';
import { isUserFacingError } from '../errors.js';
import type { QuizErrorCode } from '../quiz/quiz-errors.js';
import type { BotDeps, Command, ComponentInteraction, ComponentRoute } from './command.js';
import { parseCustomId } from './custom-id.js';
import { loggableError } from './loggable-error.js';

/** The refusal meaning "another process of this bot answers this", answered with silence. */
const ANSWERED_ELSEWHERE: QuizErrorCode = 'SESSION_ELSEWHERE';

/** Discord's "Interaction has already been acknowledged" (JSON error code 40060). */
const ALREADY_ACKNOWLEDGED = 40060;

/**
 * Another process answered this interaction first. During a rolling restart both processes of a shard
 * receive every event and both answer commands that belong to no quiz (`/stats`, `/pair`); Discord keeps
 * the first answer and refuses the second, which is expected, not a failure of this bot.
 */
function answeredByAnotherProcess(err: unknown): boolean {
  return err instanceof DiscordAPIError && err.code === ALREADY_ACKNOWLEDGED;
}

/**
 * Sends every interaction to its command or component handler and makes sure the user always gets an
 * answer: a UserFacingError becomes its friendly text, anything else is logged with its stack and
 * answered with a short apology, and ids the bot does not know get a polite note. Only the user who
 * acted sees these (ephemeral). The router itself never throws.
 */

export const APOLOGY =
  'Sorry, something went wrong on my side and I could not finish that. It has been logged; please try again in a moment.';
export const UNKNOWN_COMPONENT =
  'I cannot act on that any more: it comes from a message or version of the bot I no longer recognise. Nothing was changed.';

export function unknownCommandText(name: string): string {
  return `I do not know the command \`/${name.slice(0, 32)}\`. It may have been removed; the server's list of commands updates shortly.`;
}

/** Discord's limit for message content. */
const CONTENT_LIMIT = 2000;

function clip(text: string): string {
  return text.length <= CONTENT_LIMIT ? text : `${text.slice(0, CONTENT_LIMIT - 1)}…`;
}

/** What identifies an interaction in logs: ids and names, never its token. */
function describe(interaction: BaseInteraction): Record<string, unknown> {
  return {
    interactionId: interaction.id,
    type: interaction.type,
    ...(interaction.isCommand() || interaction.isAutocomplete() ? { command: interaction.commandName } : {}),
    ...(interaction.isMessageComponent() || interaction.isModalSubmit()
      ? { customId: interaction.customId.slice(0, 100) }
      : {}),
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
  };
}

function ephemeral(content: string): InteractionReplyOptions {
  // Nothing the bot echoes back (an id someone typed, an error text) may ping anyone.
  return { content: clip(content), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } };
}

/** Answers with `content` only for the user: a reply, or a follow-up once the interaction was answered. */
async function tell(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) await interaction.followUp(ephemeral(content));
  else await interaction.reply(ephemeral(content));
}

export type InteractionRouter = (interaction: Interaction) => Promise<void>;

export function createInteractionRouter(commands: readonly Command[], deps: BotDeps): InteractionRouter {
  const byName = new Map<string, Command>();
  const byPrefix = new Map<string, ComponentRoute>();
  for (const command of commands) {
    if (byName.has(command.data.name)) throw new Error(`Two commands are named /${command.data.name}`);
    byName.set(command.data.name, command);
    for (const route of command.components ?? []) {
      if (byPrefix.has(route.prefix))
        throw new Error(`Two component handlers use the prefix "${route.prefix}"`);
      byPrefix.set(route.prefix, route);
    }
  }
  const log = deps.log;

  async function runComponent(interaction: ComponentInteraction & RepliableInteraction): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    const route = parsed ? byPrefix.get(parsed.prefix) : undefined;
    const handled = parsed && route ? await route.handle(interaction, parsed.args, deps) : false;
    if (!handled) {
      log.warn(describe(interaction), 'component with an unknown or invalid custom id');
      await tell(interaction, UNKNOWN_COMPONENT);
    }
  }

  async function runAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const command = byName.get(interaction.commandName);
    try {
      if (command?.autocomplete) await command.autocomplete(interaction, deps);
    } catch (err) {
      log.error({ err: loggableError(err), ...describe(interaction) }, 'autocomplete failed');
    }
    // Suggestions cannot carry an error message; an empty list at least ends the spinner.
    if (!interaction.responded) await interaction.respond([]);
  }

  async function dispatch(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand()) {
      const command = byName.get(interaction.commandName);
      if (!command) {
        log.warn(describe(interaction), 'unknown command');
        await tell(interaction, unknownCommandText(interaction.commandName));
        return;
      }
      await command.execute(interaction, deps);
    } else if (interaction.isAutocomplete()) {
      await runAutocomplete(interaction);
    } else if (interaction.isMessageComponent() || interaction.isModalSubmit()) {
      await runComponent(interaction);
    } else if (interaction.isRepliable()) {
      await tell(interaction, UNKNOWN_COMPONENT);
    }
  }

  return async (interaction) => {
    try {
      await dispatch(interaction);
    } catch (err) {
      const friendly = isUserFacingError(err);
      if (friendly && err.code === ANSWERED_ELSEWHERE) {
        // Another process of this bot receives the same event and answers it; a reply here would race it.
        log.debug(describe(interaction), 'interaction left to the process that runs its quiz');
        return;
      }
      if (answeredByAnotherProcess(err)) {
        log.info(describe(interaction), 'interaction already answered, by another process of this bot');
        return;
      }
      if (friendly) log.info({ code: err.code, ...describe(interaction) }, 'interaction refused');
      else log.error({ err: loggableError(err), ...describe(interaction) }, 'interaction failed');
      if (!interaction.isRepliable()) return;
      try {
        await tell(interaction, friendly ? err.message : APOLOGY);
      } catch (replyError) {
        log.error(
          { err: loggableError(replyError), ...describe(interaction) },
          'could not tell the user about a failure',
        );
      }
    }
  };
}
