import {
  ActionRowBuilder,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  escapeMarkdown,
  TimestampStyles,
  time,
} from 'discord.js';
import type { ConfusingPair, ImageSlot, Option } from '../dataset/model.js';
import type { AnswerOutcome, RoundView } from '../quiz/engine.js';
import type { ModelReveal, RoundReveal } from '../quiz/reveal.js';
import { answerId, fullSizeId, hostId } from './quiz-ids.js';
import { discordModelPending } from './quiz-wording.js';

/**
 * What the quiz posts in a channel: the round message (question, composite, countdown, buttons), the
 * private answer confirmations, and the reveal. Pure functions from engine views to Discord payloads, so
 * they can be checked without a connection. Nothing rendered before the reveal may depend on which option
 * is right: not the text, not a file name, not a custom id, not a button's style or order.
 */

export const CONTENT_LIMIT = 2000;
const EMBED_DESCRIPTION_LIMIT = 4096;
const CAPTION_LIMIT = 1500;

export type ButtonRow = APIActionRowComponent<APIButtonComponent>;

/** The parts of an engine round view the round message shows. */
export type RoundFace = Pick<
  RoundView,
  'sessionId' | 'round' | 'number' | 'totalRounds' | 'pair' | 'deadline'
>;

/** How the round message looks: taking answers, or closed for one of these reasons. */
export type RoundPhase = 'open' | 'revealed' | 'skipped' | 'stopped' | 'interrupted';

export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The attachment name of a round's composite: the round number only, never anything about the pair. */
export function roundFileName(round: number): string {
  return `round-${round}.jpg`;
}

/** The pair's categories (both images, without repeats), for the round header. */
export function pairCategories(pair: ConfusingPair): string[] {
  return [...new Set([...pair.images[0].categories, ...pair.images[1].categories])];
}

function unix(ms: number): number {
  return Math.floor(ms / 1000);
}

function answeredLine(answered: number): string {
  return `👥 **${answered}** answered`;
}

const PHASE_LINE: Record<Exclude<RoundPhase, 'open'>, string> = {
  revealed: "⏱️ Time's up: the answers are below.",
  skipped: '⏭️ The host skipped this question; its answers stay secret.',
  stopped: '⏹️ The quiz was stopped.',
  interrupted: '⏹️ This question was closed while the bot was offline.',
};

export function roundContent(face: RoundFace, phase: RoundPhase, answered: number): string {
  const { pair } = face;
  const categories = pairCategories(pair);
  // The pair id is public (anyone can look its answers up in the dataset), so it shows only once revealed.
  const id = phase === 'revealed' ? ` · pair ${escapeMarkdown(pair.id)}` : '';
  const header = `**Question ${face.number} of ${face.totalRounds}**${id}${
    categories.length > 0 ? ` · ${escapeMarkdown(categories.join(', '))}` : ''
  }`;
  const status =
    phase === 'open'
      ? `Answer **both** images: 1 is on the left, 2 on the right. ⏱️ Time's up ${time(unix(face.deadline), TimestampStyles.RelativeTime)}.`
      : PHASE_LINE[phase];
  // The status lines go last and must survive clipping, so the long parts are clipped on their own.
  const lines = [
    header,
    `> ${clip(escapeMarkdown(pair.question).replaceAll('\n', ' '), 900)}`,
    `**A:** ${clip(escapeMarkdown(pair.options.A), 400)}`,
    `**B:** ${clip(escapeMarkdown(pair.options.B), 400)}`,
    '',
    status,
    answeredLine(answered),
  ];
  return lines.join('\n');
}

function button(customId: string, label: string, style: ButtonStyle, disabled: boolean): ButtonBuilder {
  return new ButtonBuilder().setCustomId(customId).setLabel(label).setStyle(style).setDisabled(disabled);
}

/**
 * Answer buttons for image 1 and image 2 (A / B each), then Full size and the host's controls. Once the
 * round is closed everything but Full size is disabled; the reveal message carries Next and Stop.
 */
export function roundComponents(
  face: Pick<RoundFace, 'sessionId' | 'round'>,
  phase: RoundPhase,
): ButtonRow[] {
  const closed = phase !== 'open';
  const answerRow = (slot: ImageSlot) =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      (['A', 'B'] as const).map((option) =>
        button(
          answerId(face.sessionId, face.round, slot, option),
          `Image ${slot + 1} → ${option}`,
          ButtonStyle.Primary,
          closed,
        ),
      ),
    );
  const hostRow = new ActionRowBuilder<ButtonBuilder>().addComponents(
    button(fullSizeId(face.sessionId, face.round), 'Full size', ButtonStyle.Secondary, false),
    button(hostId(face.sessionId, face.round, 'reveal'), 'Reveal', ButtonStyle.Success, closed),
    button(hostId(face.sessionId, face.round, 'next'), 'Next', ButtonStyle.Secondary, closed),
    button(hostId(face.sessionId, face.round, 'skip'), 'Skip', ButtonStyle.Secondary, closed),
    button(hostId(face.sessionId, face.round, 'stop'), 'Stop', ButtonStyle.Danger, closed),
  );
  return [answerRow(0), answerRow(1), hostRow].map((row) => row.toJSON());
}

// ---- answers --------------------------------------------------------------------------------------------

function choiceText(pair: ConfusingPair, slot: ImageSlot, option: Option | null): string {
  if (option === null) return `image ${slot + 1}: not answered yet`;
  return `image ${slot + 1}: **${option}** (${escapeMarkdown(clip(pair.options[option], 80))})`;
}

/** The private reply to an answer click: what the person has chosen, or why the click did not count. */
export function answerReply(outcome: AnswerOutcome, pair: ConfusingPair | null): string {
  if (!outcome.ok) return outcome.message;
  const [first, second] = outcome.choices;
  const chosen =
    pair === null
      ? `image 1: **${first ?? '–'}**, image 2: **${second ?? '–'}**`
      : `${choiceText(pair, 0, first)}; ${choiceText(pair, 1, second)}`;
  if (!outcome.complete) {
    const missing = first === null ? 1 : 2;
    return `Got it: ${chosen}. Now answer image ${missing}.`;
  }
  if (outcome.locked) return `🔒 Locked in: ${chosen}. The answers come at the reveal.`;
  return `✅ Saved: ${chosen}. You can still change it until the reveal.`;
}

// ---- reveal ---------------------------------------------------------------------------------------------

function percent(value: number | null): string {
  return value === null ? '–' : `${Math.round(value)}%`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function modelLine(model: ModelReveal): string {
  const name = `\`${clip(model.modelId, 40).replaceAll('`', "'")}\``;
  if (model.status !== 'answered') {
    const [why, detail] =
      model.status === 'failed' ? ['failed', model.reason] : ['no answer', discordModelPending(model.code)];
    return `${name}: ⚠️ ${why}: ${escapeMarkdown(clip(detail, 160))}`;
  }
  const { score } = model;
  const part = (slot: ImageSlot) => {
    const chosen = score.chosen[slot];
    if (chosen === null) return `image ${slot + 1} → no clear answer ❌`;
    const sure = model.confidence?.[slot];
    // "A, 97% sure, wrong": how sure the model was, when its run recorded probabilities.
    const mark = score.correct[slot] ? '✅' : '❌';
    if (typeof sure !== 'number') return `image ${slot + 1} → ${chosen} ${mark}`;
    return `image ${slot + 1} → ${chosen}, ${Math.round(sure * 100)}% sure, ${score.correct[slot] ? 'right' : 'wrong'} ${mark}`;
  };
  const verdict = score.setCorrect
    ? ' · both right'
    : score.confused
      ? ' · 😵 confused (same answer twice)'
      : '';
  return `${name}: ${part(0)} · ${part(1)}${verdict}`;
}

function imageLine(reveal: RoundReveal, slot: ImageSlot): string {
  const image = reveal.images[slot];
  const counts =
    image.answered === 0
      ? 'nobody answered it'
      : `${image.right} of ${image.answered} right (${percent(image.rightShare)}) · A ${image.picks.A} · B ${image.picks.B}`;
  return `**Image ${slot + 1} → ${image.correct}:** ${escapeMarkdown(clip(image.correctText, 200))}\n${counts}`;
}

function peopleLines(reveal: RoundReveal): string {
  const p = reveal.people;
  if (p.participants === 0) return '**People:** nobody answered this one.';
  const lines = [
    `**People:** ${p.participants} answered · both right (set accuracy) **${percent(p.setAccuracy)}** (${p.setCorrect} of ${p.participants}) · confused ${percent(p.confusion)} (${p.confused} of ${p.completed} gave the same answer twice)`,
  ];
  const fastest = reveal.persons.filter((person) => person.score.setCorrect && person.responseMs !== null);
  if (fastest.length > 0) {
    lines.push(
      `Fastest with both right: ${fastest
        .slice(0, 3)
        .map(
          (person) => `${escapeMarkdown(clip(person.displayName, 40))} (${seconds(person.responseMs ?? 0)})`,
        )
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

export interface RevealContext {
  number: number;
  totalRounds: number;
  /** The last question: Next then shows the final results. */
  last: boolean;
  /** Whether the Next and Stop buttons belong on the message (not once the quiz has ended). */
  controls: boolean;
  /** A line above the results, e.g. after a restart. */
  note?: string | null;
}

function teachingEmbed(reveal: RoundReveal, slot: ImageSlot): APIEmbed {
  const image = reveal.images[slot];
  const embed = new EmbedBuilder()
    .setTitle(clip(`Image ${slot + 1}: ${image.correct}, ${image.correctText}`, 256))
    .setColor(0x5865f2);
  const caption = image.caption.trim();
  embed.setDescription(
    clip(caption === '' ? 'No caption was recorded for this image.' : escapeMarkdown(caption), CAPTION_LIMIT),
  );
  if (image.sourceUrl !== null && image.pmcArticle !== null) {
    embed.setURL(image.sourceUrl);
    embed.addFields({
      name: 'Source article',
      value: `[${image.pmcArticle}](${image.sourceUrl})`,
      inline: true,
    });
  }
  if (image.categories.length > 0) {
    embed.addFields({ name: 'Categories', value: clip(image.categories.join(', '), 1024), inline: true });
  }
  return embed.toJSON();
}

/** The reveal: right answers, how people and models did, and the source captions as the teaching point. */
export function revealMessage(
  reveal: RoundReveal,
  context: RevealContext,
): { content?: string; embeds: APIEmbed[]; components: ButtonRow[] } {
  const { pair } = reveal;
  const models = reveal.models.length === 0 ? [] : ['**Models:**', ...reveal.models.map(modelLine)];
  const description = clip(
    [
      `> ${escapeMarkdown(clip(pair.question, 300))}`,
      '',
      imageLine(reveal, 0),
      imageLine(reveal, 1),
      '',
      peopleLines(reveal),
      ...(models.length > 0 ? ['', ...models] : []),
    ].join('\n'),
    EMBED_DESCRIPTION_LIMIT,
  );
  const results = new EmbedBuilder()
    .setTitle(`Answers · question ${context.number} of ${context.totalRounds} (pair ${pair.id})`)
    .setColor(0x57f287)
    .setDescription(description)
    .toJSON();
  const components: ButtonRow[] = context.controls
    ? [
        new ActionRowBuilder<ButtonBuilder>()
          .addComponents(
            button(
              hostId(reveal.sessionId, reveal.round, 'next'),
              context.last ? 'Final results' : 'Next question',
              ButtonStyle.Primary,
              false,
            ),
            button(hostId(reveal.sessionId, reveal.round, 'stop'), 'Stop quiz', ButtonStyle.Danger, false),
          )
          .toJSON(),
      ]
    : [];
  return {
    ...(context.note ? { content: clip(context.note, CONTENT_LIMIT) } : {}),
    embeds: [results, teachingEmbed(reveal, 0), teachingEmbed(reveal, 1)],
    components,
  };
}
