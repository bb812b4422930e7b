import { type ChatInputCommandInteraction, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotDeps, Command } from '../bot/command.js';
import { leaderboardEmbeds } from '../bot/quiz-tables.js';
import { resolveCategory } from '../quiz/pairs.js';
import { requireQuiz } from './quiz.js';
import { categoryAutocomplete } from './stats.js';

/**
 * `/leaderboard [category]`: this server's people ranked by set accuracy (both images of a pair right),
 * then single-image accuracy, among those with enough answered pairs. Speed plays no part: a fast
 * guesser never outranks someone who got more right.
 */

const LEADERBOARD_SIZE = 15;

const data = new SlashCommandBuilder()
  .setName('leaderboard')
  .setDescription("This server's best quiz players, by accuracy")
  .setContexts(InteractionContextType.Guild)
  .addStringOption((o) =>
    o
      .setName('category')
      .setDescription('Only pairs of this category, e.g. Cerebral (default: all)')
      .setMaxLength(60)
      .setAutocomplete(true),
  );

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const quiz = requireQuiz(deps);
  const raw = interaction.options.getString('category');
  // Resolved before deferring, so a typo is answered privately instead of in the public reply.
  const category = raw === null || raw.trim() === '' ? null : resolveCategory(deps.pairSet, raw);
  await interaction.deferReply();
  const board = await quiz.engine.leaderboard(
    interaction.guildId ? { kind: 'guild', guildId: interaction.guildId } : { kind: 'all' },
    {
      minPairs: quiz.tuning.leaderboardMinPairs,
      limit: LEADERBOARD_SIZE,
      category,
    },
  );
  await interaction.editReply({ embeds: leaderboardEmbeds(board), allowedMentions: { parse: [] } });
}

export default { data, execute, autocomplete: categoryAutocomplete } satisfies Command;
