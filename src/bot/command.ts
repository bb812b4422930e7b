import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { z } from 'zod';
import type { PairSet } from '../dataset/model.js';
import type { LiveProbe } from '../live/live-probe.js';
import type { Logger } from '../logger.js';
import type { DiscordBaseline } from './baseline-front-end.js';
import type { DiscordQuiz } from './quiz-front-end.js';

/**
 * What every command receives. Passed in by whoever creates the bot (tests build their own), never
 * reached through globals; the quiz step adds its engine, store and models here.
 */
export interface BotDeps {
  log: Logger;
  /** The pair set the bot shows and quizzes on (the official MediConfusion set or a custom one). */
  pairSet: PairSet;
  /** DISCORD_HOST_ROLE, for `isQuizHost` (src/bot/host.ts); filled in by createBot from the config. */
  hostRole: string | null;
  /** The quiz front end (src/bot/quiz-front-end.ts); absent on a bot started without one (/quiz then says so). */
  quiz?: DiscordQuiz;
  /** Live model questions for `/probe` (src/live); absent on a bot without live models (/probe then says so). */
  liveProbe?: LiveProbe;
  /** The private human baseline (src/bot/baseline-front-end.ts) for /baseline, /profile, /forget-me, /export; absent: they say so. */
  baseline?: DiscordBaseline;
}

/** A slash command's definition: a SlashCommandBuilder, or anything with a name that renders the same JSON. */
export interface CommandData {
  readonly name: string;
  toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody;
}

export type ComponentInteraction = MessageComponentInteraction | ModalSubmitInteraction;

/** Handles components (buttons, menus, modals) whose custom id starts with `prefix:`. */
export interface ComponentRoute {
  readonly prefix: string;
  /**
   * Runs the handler when the id's arguments pass its schema; resolves to false, having done nothing,
   * when they do not (a forged or outdated id).
   */
  handle(interaction: ComponentInteraction, args: readonly string[], deps: BotDeps): Promise<boolean>;
}

export interface Command {
  data: CommandData;
  execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, deps: BotDeps): Promise<void>;
  components?: readonly ComponentRoute[];
}

/** Declares a component handler whose custom-id arguments must match `args` (e.g. a zod tuple). */
export function componentRoute<T>(
  prefix: string,
  args: z.ZodType<T>,
  execute: (interaction: ComponentInteraction, args: T, deps: BotDeps) => Promise<void>,
): ComponentRoute {
  return {
    prefix,
    async handle(interaction, rawArgs, deps) {
      const parsed = args.safeParse(rawArgs);
      if (!parsed.success) return false;
      await execute(interaction, parsed.data, deps);
      return true;
    },
  };
}
