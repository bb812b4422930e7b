import { type ChatInputCommandInteraction, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { SPECIALTY_MAX_LENGTH, TRAINING_LEVEL_LABELS, TRAINING_LEVELS } from '../baseline/profile.js';
import type { BotDeps, Command } from '../bot/command.js';
import { requireBaseline } from './baseline.js';

/**
 * `/profile [training_level] [specialty] [clear]`: shows, sets or clears the optional profile of the private
 * baseline (after consent). The choices are the core's training levels; the core validates the values again.
 */

const data = new SlashCommandBuilder()
  .setName('profile')
  .setDescription('Your optional training level and specialty for the human baseline (only you see this)')
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
  .addStringOption((o) =>
    o
      .setName('training_level')
      .setDescription('Your training level (groups the results; optional)')
      .addChoices(...TRAINING_LEVELS.map((level) => ({ name: TRAINING_LEVEL_LABELS[level], value: level }))),
  )
  .addStringOption((o) =>
    o
      .setName('specialty')
      .setDescription('Your specialty, e.g. Neuroradiology (optional)')
      .setMaxLength(SPECIALTY_MAX_LENGTH),
  )
  .addBooleanOption((o) =>
    o.setName('clear').setDescription('Remove your training level and specialty (then set any given here)'),
  );

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  await requireBaseline(deps).profile(interaction, {
    trainingLevel: interaction.options.getString('training_level'),
    specialty: interaction.options.getString('specialty'),
    clear: interaction.options.getBoolean('clear') ?? false,
  });
}

export default { data, execute } satisfies Command;
