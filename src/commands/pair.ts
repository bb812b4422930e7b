import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AttachmentBuilder,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  EmbedBuilder,
  escapeMarkdown,
  MessageFlags,
  SlashCommandBuilder,
} from 'discord.js';
import type { BotDeps, Command } from '../bot/command.js';
import { pairIsSecret } from '../bot/open-round-pairs.js';
import type { ConfusingPair, PairImage, PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';

/**
 * `/pair id`: shows one confusing pair for teaching, answers included: the question, both options,
 * both images with the option that is correct for each, the source captions and articles, and the
 * categories. Images are attached under neutral names (image-1, image-2) so nothing in a file name
 * gives an answer away when the same files are reused in a quiz.
 */

const ID_MAX_LENGTH = 20;
/** Leaves room in Discord's 6000-character budget for both embeds together. */
const CAPTION_LIMIT = 2200;
const AUTOCOMPLETE_LIMIT = 25;
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp']);

const data = new SlashCommandBuilder()
  .setName('pair')
  .setDescription('Show a confusing pair with its answers, captions and sources')
  .addStringOption((option) =>
    option
      .setName('id')
      .setDescription('The pair id, e.g. 10001 (start typing to search)')
      .setRequired(true)
      .setMaxLength(ID_MAX_LENGTH)
      .setAutocomplete(true),
  )
  .addBooleanOption((option) =>
    option.setName('private').setDescription('Show it only to you (default: no)'),
  );

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export function pmcArticleUrl(article: string): string {
  return `https://pmc.ncbi.nlm.nih.gov/articles/${article}/`;
}

function findPair(set: PairSet, rawId: string): ConfusingPair {
  const id = rawId.trim();
  const pair = set.pairs.find((candidate) => candidate.id === id);
  if (pair) return pair;
  const shown = escapeMarkdown(clip(id, ID_MAX_LENGTH));
  const example = set.pairs[0]?.id;
  throw new UserFacingError(
    'PAIR_UNKNOWN',
    `There is no pair "${shown}" in the ${set.name} set.` +
      (example ? ` Pair ids look like ${example}; start typing in the id option to see suggestions.` : ''),
  );
}

function imageFile(set: PairSet, image: PairImage): string {
  return image.file ?? path.join(set.imagesDir, `${image.localId}.jpg`);
}

async function attachment(set: PairSet, pair: ConfusingPair, slot: 0 | 1): Promise<AttachmentBuilder> {
  const file = imageFile(set, pair.images[slot]);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new UserFacingError(
      'PAIR_IMAGE_MISSING',
      `Image ${slot + 1} of pair ${pair.id} (${path.basename(file)}) is not on the bot's server yet. ` +
        'Ask whoever runs the bot to download the images (`mediconfusion data fetch`).',
      { cause: err },
    );
  }
  const extension = path.extname(file).toLowerCase();
  const name = `image-${slot + 1}${IMAGE_EXTENSIONS.has(extension) ? extension : '.jpg'}`;
  return new AttachmentBuilder(bytes, { name, description: `Image ${slot + 1} of pair ${pair.id}` });
}

function imageEmbed(pair: ConfusingPair, slot: 0 | 1, fileName: string): EmbedBuilder {
  const image = pair.images[slot];
  const answer = pair.options[image.correct];
  const source = image.pmcArticle
    ? `[${image.pmcArticle}](${pmcArticleUrl(image.pmcArticle)})${image.figureFile ? ` · ${escapeMarkdown(image.figureFile)}` : ''}`
    : 'not recorded';
  const embed = new EmbedBuilder()
    .setTitle(clip(`Image ${slot + 1} · correct answer ${image.correct}: ${answer}`, 256))
    .setImage(`attachment://${fileName}`)
    .addFields(
      { name: 'Categories', value: clip(image.categories.join(', ') || 'none', 1024), inline: true },
      { name: 'Source article', value: clip(source, 1024), inline: true },
    );
  if (image.caption !== '') embed.setDescription(clip(escapeMarkdown(image.caption), CAPTION_LIMIT));
  if (image.pmcArticle) embed.setURL(pmcArticleUrl(image.pmcArticle));
  return embed;
}

function summary(set: PairSet, pair: ConfusingPair): string {
  return clip(
    [
      `**Pair ${pair.id}** (${escapeMarkdown(set.name)} set)`,
      `**Question:** ${escapeMarkdown(pair.question)}`,
      `**A:** ${escapeMarkdown(pair.options.A)}`,
      `**B:** ${escapeMarkdown(pair.options.B)}`,
    ].join('\n'),
    2000,
  );
}

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const set = deps.pairSet;
  const pair = findPair(set, interaction.options.getString('id', true));
  const privately = interaction.options.getBoolean('private') ?? false;
  if (pairIsSecret(deps, pair.id, interaction.channelId, interaction.guildId)) {
    // Even privately: the answers would let one person win the round.
    throw new UserFacingError(
      'PAIR_IN_OPEN_ROUND',
      `A quiz round on this server is asking about pair ${pair.id} right now. Look it up after the reveal.`,
    );
  }
  // Reading and uploading two images can outlast the 3 seconds Discord waits for a first answer.
  await interaction.deferReply(privately ? { flags: MessageFlags.Ephemeral } : {});
  const files = [await attachment(set, pair, 0), await attachment(set, pair, 1)];
  await interaction.editReply({
    content: summary(set, pair),
    embeds: [imageEmbed(pair, 0, files[0]?.name ?? ''), imageEmbed(pair, 1, files[1]?.name ?? '')],
    files,
    allowedMentions: { parse: [] },
  });
}

async function autocomplete(interaction: AutocompleteInteraction, deps: BotDeps): Promise<void> {
  const typed = interaction.options.getFocused().trim().toLowerCase();
  const pairs = deps.pairSet.pairs;
  const byId = pairs.filter((pair) => pair.id.toLowerCase().startsWith(typed));
  const byQuestion = typed === '' ? [] : pairs.filter((pair) => pair.question.toLowerCase().includes(typed));
  const choices = [...new Set([...byId, ...byQuestion])].slice(0, AUTOCOMPLETE_LIMIT);
  await interaction.respond(
    choices.map((pair) => ({ name: clip(`${pair.id} · ${pair.question}`, 100), value: pair.id })),
  );
}

export default { data, execute, autocomplete } satisfies Command;
