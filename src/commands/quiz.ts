import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  SlashCommandBuilder,
} from 'discord.js';
import { type BotDeps, type Command, type ComponentInteraction, componentRoute } from '../bot/command.js';
import { UNKNOWN_COMPONENT } from '../bot/interaction-router.js';
import type { DiscordQuiz } from '../bot/quiz-front-end.js';
import {
  ANSWER_PREFIX,
  answerArgs,
  FULL_SIZE_PREFIX,
  fullSizeArgs,
  HOST_PREFIX,
  hostArgs,
} from '../bot/quiz-ids.js';
import { UserFacingError } from '../errors.js';
import { DEFAULT_LIMITS } from '../quiz/engine.js';

/**
 * `/quiz start [category] [rounds] [seconds] [models] [allow_changes]` and `/quiz stop`, plus the quiz
 * buttons (answers, Full size, host controls). The work happens in DiscordQuiz (src/bot/quiz-front-end.ts,
 * handlers in src/bot/quiz-interactions.ts); this file declares the command and routes the buttons' custom
 * ids to it.
 */

const AUTOCOMPLETE_LIMIT = 25;

const data = new SlashCommandBuilder()
  .setName('quiz')
  .setDescription('Run a MediConfusion quiz in this channel')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) =>
    sub
      .setName('start')
      .setDescription('Start a quiz in this channel (one at a time per channel)')
      .addStringOption((o) =>
        o
          .setName('category')
          .setDescription('Only pairs of this category, e.g. Cerebral (default: all)')
          .setMaxLength(60)
          .setAutocomplete(true),
      )
      .addIntegerOption((o) =>
        o
          .setName('rounds')
          .setDescription(`How many pairs (default ${DEFAULT_LIMITS.defaultRounds})`)
          .setMinValue(1)
          .setMaxValue(DEFAULT_LIMITS.maxRounds),
      )
      .addIntegerOption((o) =>
        o
          .setName('seconds')
          .setDescription(`Seconds per pair (default ${DEFAULT_LIMITS.defaultSeconds})`)
          .setMinValue(DEFAULT_LIMITS.minSeconds)
          .setMaxValue(DEFAULT_LIMITS.maxSeconds),
      )
      .addStringOption((o) =>
        o
          .setName('models')
          .setDescription('Models to compare with, separated by commas (start typing to see them)')
          .setMaxLength(300)
          .setAutocomplete(true),
      )
      .addBooleanOption((o) =>
        o
          .setName('allow_changes')
          .setDescription('Let people change their answers until the reveal (default: answers lock)'),
      ),
  )
  .addSubcommand((sub) => sub.setName('stop').setDescription('Stop the quiz in this channel (hosts only)'));

export function requireQuiz(deps: BotDeps): DiscordQuiz {
  if (deps.quiz === undefined) {
    throw new UserFacingError(
      'QUIZ_UNAVAILABLE',
      'The quiz is not available on this bot right now. Please ask whoever runs it.',
    );
  }
  return deps.quiz;
}

/** `a, b c` → `['a', 'b', 'c']`. */
export function parseModelList(raw: string | null): string[] {
  return (raw ?? '').split(/[\s,]+/).filter((name) => name !== '');
}

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const quiz = requireQuiz(deps);
  const sub = interaction.options.getSubcommand(true);
  if (sub === 'stop') {
    await quiz.stopCommand(interaction, deps.hostRole);
    return;
  }
  await quiz.start(interaction, {
    category: interaction.options.getString('category'),
    rounds: interaction.options.getInteger('rounds'),
    seconds: interaction.options.getInteger('seconds'),
    models: parseModelList(interaction.options.getString('models')),
    allowChanges: interaction.options.getBoolean('allow_changes'),
  });
}

async function autocomplete(interaction: AutocompleteInteraction, deps: BotDeps): Promise<void> {
  const focused = interaction.options.getFocused(true);
  if (focused.name === 'category') {
    const typed = focused.value.trim().toLowerCase();
    const matches = deps.pairSet.categories.filter((c) => c.toLowerCase().includes(typed));
    await interaction.respond(matches.slice(0, AUTOCOMPLETE_LIMIT).map((c) => ({ name: c, value: c })));
    return;
  }
  if (focused.name === 'models' && deps.quiz !== undefined) {
    // Completes the last name of a comma-separated list, keeping the ones already chosen.
    const parts = focused.value.split(',');
    const last = (parts.pop() ?? '').trim().toLowerCase();
    const chosen = parts.map((p) => p.trim()).filter((p) => p !== '');
    const known = await deps.quiz.models.knownModels();
    const choices = known
      .filter((m) => !chosen.includes(m) && m.toLowerCase().includes(last))
      .slice(0, AUTOCOMPLETE_LIMIT)
      .map((m) => [...chosen, m].join(', '))
      .filter((value) => value.length <= 100);
    await interaction.respond(choices.map((value) => ({ name: value, value })));
  }
}

function button(interaction: ComponentInteraction) {
  // Only buttons carry these ids; anything else with the same prefix is forged.
  if (!interaction.isButton()) throw new UserFacingError('QUIZ_NOT_A_BUTTON', UNKNOWN_COMPONENT);
  return interaction;
}

const components = [
  componentRoute(ANSWER_PREFIX, answerArgs, async (interaction, args, deps) => {
    await requireQuiz(deps).answer(button(interaction), args);
  }),
  componentRoute(HOST_PREFIX, hostArgs, async (interaction, args, deps) => {
    await requireQuiz(deps).hostButton(button(interaction), args, deps.hostRole);
  }),
  componentRoute(FULL_SIZE_PREFIX, fullSizeArgs, async (interaction, args, deps) => {
    await requireQuiz(deps).fullSize(button(interaction), args);
  }),
];

export default { data, execute, autocomplete, components } satisfies Command;
