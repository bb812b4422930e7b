import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from 'discord.js';
import type { BotDeps, Command } from '../bot/command.js';
import { statsEmbeds } from '../bot/quiz-tables.js';
import { statsChartAttachment } from '../bot/result-charts.js';
import { resolveCategory } from '../quiz/pairs.js';
import type { StatsScope } from '../quiz/stats.js';
import { requireQuiz } from './quiz.js';

/**
 * `/stats [category] [scope]`: how people did against each model on every revealed quiz question in this
 * channel, this server (default) or for you alone: set accuracy with its 95% interval, single-image
 * accuracy, confusion, the number of answered pairs, and what guessing would score; with the same as a
 * chart (stats.png, its alt text spelling out every bar).
 */

export const SCOPES = ['channel', 'server', 'me'] as const;
export type ScopeChoice = (typeof SCOPES)[number];

const data = new SlashCommandBuilder()
  .setName('stats')
  .setDescription('People vs models on the quiz questions answered here')
  .setContexts(InteractionContextType.Guild)
  .addStringOption((o) =>
    o
      .setName('category')
      .setDescription('One category only, e.g. Cerebral (default: all)')
      .setMaxLength(60)
      .setAutocomplete(true),
  )
  .addStringOption((o) =>
    o
      .setName('scope')
      .setDescription('Whose answers count (default: this server)')
      .addChoices(
        { name: 'this channel', value: 'channel' },
        { name: 'this server', value: 'server' },
        { name: 'only mine (shown only to you)', value: 'me' },
      ),
  );

export function statsScope(interaction: ChatInputCommandInteraction, choice: ScopeChoice): StatsScope {
  if (choice === 'me') return { kind: 'user', userId: interaction.user.id };
  if (choice === 'channel' && interaction.channelId) return { kind: 'room', roomId: interaction.channelId };
  return interaction.guildId ? { kind: 'guild', guildId: interaction.guildId } : { kind: 'all' };
}

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const quiz = requireQuiz(deps);
  const rawCategory = interaction.options.getString('category');
  const category =
    rawCategory === null || rawCategory.trim() === '' ? null : resolveCategory(deps.pairSet, rawCategory);
  const choice = (SCOPES as readonly string[]).includes(interaction.options.getString('scope') ?? '')
    ? (interaction.options.getString('scope') as ScopeChoice)
    : 'server';
  // Deferred before the slow part (reading every revealed round, drawing the chart): Discord wants an
  // answer within 3 s.
  await interaction.deferReply(choice === 'me' ? { flags: MessageFlags.Ephemeral } : {});
  const stats = await quiz.engine.stats(statsScope(interaction, choice));
  const chart = await statsChartAttachment(stats, category, deps.log);
  await interaction.editReply({
    embeds: statsEmbeds(stats, category),
    ...(chart ? { files: [chart] } : {}),
    allowedMentions: { parse: [] },
  });
}

export async function categoryAutocomplete(
  interaction: AutocompleteInteraction,
  deps: BotDeps,
): Promise<void> {
  const typed = interaction.options.getFocused().trim().toLowerCase();
  const matches = deps.pairSet.categories.filter((c) => c.toLowerCase().includes(typed));
  await interaction.respond(matches.slice(0, 25).map((c) => ({ name: c, value: c })));
}

export default { data, execute, autocomplete: categoryAutocomplete } satisfies Command;
