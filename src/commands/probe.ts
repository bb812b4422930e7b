import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  escapeMarkdown,
  type InteractionReplyOptions,
  MessageFlags,
  SlashCommandBuilder,
  TimestampStyles,
  time,
} from 'discord.js';
import type { BotDeps, Command } from '../bot/command.js';
import { loggableError } from '../bot/loggable-error.js';
import { pairIsSecret, pairOfOpenRound } from '../bot/open-round-pairs.js';
import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { isUserFacingError, UserFacingError } from '../errors.js';
import type { LiveAnswer, LiveProbe, LiveRefusal } from '../live/live-probe.js';
import type { ImageAnswer } from '../probe/ask-pair.js';
import pairCommand from './pair.js';

/**
 * `/probe model [pair]`: asks a live model (`live: true` in the models file) about both images of a pair,
 * right now, in the channel: the model's raw replies, what the official parser read from them, right or
 * wrong per image, and a banner when it gave both images the same answer (the confusion MediConfusion
 * measures). Each member waits a cooldown between questions, and each server has a daily budget.
 */

const ID_MAX_LENGTH = 20;
const MODEL_MAX_LENGTH = 64;
const AUTOCOMPLETE_LIMIT = 25;
const CONTENT_LIMIT = 2000;
const REPLY_LIMIT = 350;
const REASON_LIMIT = 200;

const data = new SlashCommandBuilder()
  .setName('probe')
  .setDescription('Ask a live AI model about both images of a pair, right now')
  .addStringOption((option) =>
    option
      .setName('model')
      .setDescription('The model to ask (start typing to see the live models)')
      .setRequired(true)
      .setMaxLength(MODEL_MAX_LENGTH)
      .setAutocomplete(true),
  )
  .addStringOption((option) =>
    option
      .setName('pair')
      .setDescription('The pair id, e.g. 10001 (a random pair when left empty)')
      .setMaxLength(ID_MAX_LENGTH)
      .setAutocomplete(true),
  );

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function privately(content: string): InteractionReplyOptions {
  return {
    content: clip(content, CONTENT_LIMIT),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  };
}

function liveProbeOf(deps: BotDeps): LiveProbe {
  if (deps.liveProbe === undefined) {
    throw new UserFacingError(
      'LIVE_PROBE_OFF',
      'Live questions are not set up on this bot: it needs a models file with a model marked `live: true`.',
    );
  }
  return deps.liveProbe;
}

function findPair(set: PairSet, rawId: string): ConfusingPair {
  const id = rawId.trim();
  const pair = set.pairs.find((candidate) => candidate.id === id);
  if (pair) return pair;
  throw new UserFacingError(
    'PAIR_UNKNOWN',
    `There is no pair "${escapeMarkdown(clip(id, ID_MAX_LENGTH))}" in the ${set.name} set. ` +
      'Start typing in the pair option to see suggestions, or leave it empty for a random pair.',
  );
}

function randomPair(set: PairSet, avoid: string | null): ConfusingPair {
  const choices = set.pairs.filter((pair) => pair.id !== avoid);
  const pair = choices[Math.floor(Math.random() * choices.length)];
  if (pair === undefined)
    throw new UserFacingError('PAIR_NONE', `The ${set.name} set has no pair to ask about.`);
  return pair;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

export function refusalText(refusal: LiveRefusal): string {
  if (refusal.kind === 'cooldown') {
    return `Please give the model a moment: you can ask your next live question ${time(seconds(refusal.retryAt), TimestampStyles.RelativeTime)}.`;
  }
  const reset = seconds(refusal.resetsAt);
  const resets = `The budget resets at midnight UTC, ${time(reset, TimestampStyles.RelativeTime)} (${time(reset, TimestampStyles.ShortTime)} your time).`;
  if (refusal.limits.requests === 0) {
    return 'Live questions are turned off on this bot (its daily budget is 0 requests).';
  }
  const spent =
    refusal.limit === 'requests'
      ? `${refusal.used.requests} of ${refusal.limits.requests} model requests`
      : `$${refusal.used.costUsd.toFixed(4)} of $${refusal.limits.costUsd.toFixed(2)}`;
  return `This server's live-question budget for today is used up (${spent}). ${resets}`;
}

function codeBlock(text: string): string {
  // A reply containing ``` would close the block early; a zero-width space keeps it inside.
  const safe = clip(text, REPLY_LIMIT).replaceAll('```', '`\u200b``');
  return `\`\`\`\n${safe.trim() === '' ? ' ' : safe}\n\`\`\``;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function imageSection(image: ImageAnswer, pair: ConfusingPair): string {
  const title = `**Image ${image.slot + 1}** · correct answer **${image.correct}**`;
  if (image.outcome === 'ERROR') {
    return `${title}\n⚠️ The model could not answer this one: ${escapeMarkdown(clip(image.reason ?? 'the request failed', REASON_LIMIT))}`;
  }
  const reply = `Reply (${duration(image.latencyMs)}):\n${codeBlock(image.reply ?? '')}`;
  const right = image.chosen !== null && image.chosen === image.correct;
  const parsed =
    image.chosen === null
      ? `Parsed: no clear choice (${image.reason ?? 'no option found'}) → ✗ wrong`
      : `Parsed: **${image.chosen}** (${escapeMarkdown(clip(pair.options[image.chosen], 80))})${image.confidence === null ? '' : `, ${Math.round(image.confidence * 100)}% sure`} → ${right ? '✓ right' : '✗ wrong'}`;
  return `${title}\n${reply}\n${parsed}`;
}

function costText(answer: LiveAnswer): string {
  const requests = `${answer.requests} request${answer.requests === 1 ? '' : 's'}`;
  if (answer.answers.model.price === null)
    return `${requests} · cost not tracked (no price in the models file)`;
  return `${requests} · cost $${answer.costUsd.toFixed(5)}`;
}

/** The channel message showing one live question and the model's answers. */
export function liveAnswerMessage(answer: LiveAnswer, wallMs: number): string {
  const { model, pair, images } = answer.answers;
  const [first, second] = images;
  if (first === null || second === null) throw new Error('a live question always asks both images');
  const header = [
    `🔬 **Live probe: \`${model.id}\` on pair ${pair.id}**`,
    `**Question:** ${escapeMarkdown(clip(pair.question, 300))}`,
    `**A:** ${escapeMarkdown(clip(pair.options.A, 200))}`,
    `**B:** ${escapeMarkdown(clip(pair.options.B, 200))}`,
  ].join('\n');
  const verdict: string[] = [];
  if (first.outcome === 'ERROR' && second.outcome === 'ERROR') {
    verdict.push('No answer from the model this time. Please try again later.');
  } else if (first.chosen !== null && first.chosen === second.chosen) {
    verdict.push(
      `⚠️ **Confused!** The model chose **${first.chosen}** for both images, although each image needs a different answer.`,
    );
  } else if (first.chosen === first.correct && second.chosen === second.correct) {
    verdict.push('✅ **Both right:** the model told the two images apart.');
  }
  const footer = `${costText(answer)} · answered in ${duration(wallMs)} · \`/pair ${pair.id}\` shows the images`;
  return clip(
    [header, imageSection(first, pair), imageSection(second, pair), ...verdict, footer].join('\n\n'),
    CONTENT_LIMIT,
  );
}

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const live = liveProbeOf(deps);
  const modelId = interaction.options.getString('model', true).trim();
  const pairId = interaction.options.getString('pair');
  const openPair = pairOfOpenRound(deps, interaction.channelId);
  const pair = pairId === null ? randomPair(deps.pairSet, openPair) : findPair(deps.pairSet, pairId);
  if (pairIsSecret(deps, pair.id, interaction.channelId, interaction.guildId)) {
    await interaction.reply(
      privately(
        `A quiz round on this server is asking about pair ${pair.id} right now. Ask the model about it after the reveal, so its answer does not give the game away.`,
      ),
    );
    return;
  }
  const admitted = await live.admit({
    userId: interaction.user.id,
    scope: interaction.guildId ?? `user:${interaction.user.id}`,
    modelId,
  });
  if (!admitted.ok) {
    await interaction.reply(privately(refusalText(admitted.refusal)));
    return;
  }
  // Two model requests can take far longer than the 3 seconds Discord waits for a first answer.
  await interaction.deferReply();
  const started = performance.now();
  let content: string;
  try {
    const answer = await admitted.ticket.ask(pair);
    content = liveAnswerMessage(answer, performance.now() - started);
  } catch (err) {
    if (!isUserFacingError(err)) {
      deps.log.error(
        { err: loggableError(err), interactionId: interaction.id, model: modelId, pairId: pair.id },
        'live question failed',
      );
    }
    content = isUserFacingError(err)
      ? `I could not ask \`${modelId}\` about pair ${pair.id}: ${err.message}`
      : `Sorry, something went wrong on my side while asking \`${modelId}\` about pair ${pair.id}. It has been logged; please try again in a moment.`;
  }
  await interaction.editReply({ content: clip(content, CONTENT_LIMIT), allowedMentions: { parse: [] } });
}

async function autocomplete(interaction: AutocompleteInteraction, deps: BotDeps): Promise<void> {
  const focused = interaction.options.getFocused(true);
  if (focused.name === 'pair') {
    await pairCommand.autocomplete(interaction, deps);
    return;
  }
  const typed = focused.value.trim().toLowerCase();
  const models = deps.liveProbe?.liveModels() ?? [];
  const matching = models.filter((model) => model.id.toLowerCase().includes(typed));
  await interaction.respond(
    matching.slice(0, AUTOCOMPLETE_LIMIT).map((model) => ({
      name: clip(`${model.id} · ${model.provider}${model.model ? ` ${model.model}` : ''}`, 100),
      value: model.id,
    })),
  );
}

export default { data, execute, autocomplete } satisfies Command;
