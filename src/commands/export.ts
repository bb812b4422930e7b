import { type ChatInputCommandInteraction, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotDeps, Command } from '../bot/command.js';
import { requireBaseline } from './baseline.js';

/**
 * `/export [with_quiz] [exclude_seen]` (hosts only): the human baseline export as private attachments:
 * answers (CSV and JSON), the report, the crowd's official score table, and every file in a .tar.gz.
 */

const data = new SlashCommandBuilder()
  .setName('export')
  .setDescription('Export the human baseline: answers, report and score tables (hosts only)')
  .setContexts(InteractionContextType.Guild)
  .addBooleanOption((o) =>
    o.setName('with_quiz').setDescription('Count quiz answers (revealed rounds) in the report too'),
  )
  .addBooleanOption((o) =>
    o
      .setName('exclude_seen')
      .setDescription('Leave out of the report pairs with an image the person had seen before'),
  );

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  await requireBaseline(deps).export(interaction, deps.hostRole, {
    withQuiz: interaction.options.getBoolean('with_quiz') ?? false,
    excludeSeen: interaction.options.getBoolean('exclude_seen') ?? false,
  });
}

export default { data, execute } satisfies Command;
