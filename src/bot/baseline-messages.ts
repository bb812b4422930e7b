import {
  ActionRowBuilder,
  type APIEmbed,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  escapeMarkdown,
} from 'discord.js';
import type { ConsentNotice } from '../baseline/consent.js';
import type { Profile } from '../baseline/profile.js';
import { trainingLevelLabel } from '../baseline/profile.js';
import type {
  BaselineProgress,
  BaselineQuestion,
  ForgetReport,
  ModelRevealView,
  PairReveal,
} from '../baseline/service.js';
import type { ImageSlot, Option } from '../dataset/model.js';
import {
  answerId,
  type ConsentOrigin,
  consentId,
  forgetId,
  fullSizeId,
  NEXT_ID,
  STOP_ID,
} from './baseline-ids.js';
import type { ButtonRow } from './quiz-messages.js';

/**
 * What the private baseline shows on Discord, always ephemerally: the consent notice, a pair to answer,
 * the reveal, the profile and the forget-me confirmation. Pure functions from the core's views to
 * payloads. Nothing shown before both images are answered depends on the right answers, on other people's
 * answers or on the models: not the text, not a file name, not a custom id, not a button's style.
 */

export const CONTENT_LIMIT = 2000;
const EMBED_DESCRIPTION_LIMIT = 4096;
const CAPTION_LIMIT = 1200;
const OPTION_LIMIT = 400;
const MODELS_SHOWN = 12;

/** The composite's attachment name: the same for every pair, so it tells nothing. */
export const PAIR_FILE_NAME = 'baseline-pair.jpg';

export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function button(customId: string, label: string, style: ButtonStyle, disabled = false): ButtonBuilder {
  return new ButtonBuilder().setCustomId(customId).setLabel(label).setStyle(style).setDisabled(disabled);
}

function row(...buttons: ButtonBuilder[]): ButtonRow {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(buttons).toJSON();
}

function percent(value: number | null): string {
  return value === null ? '–' : `${Math.round(value)}%`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export interface BaselinePayload {
  content: string;
  embeds: APIEmbed[];
  components: ButtonRow[];
}

// ---- consent ------------------------------------------------------------------------------------------

export function consentMessage(
  notice: ConsentNotice,
  origin: ConsentOrigin,
  outdated: boolean,
): BaselinePayload {
  const intro = outdated
    ? 'The notice below has changed since you accepted it. Please read it again; nothing more is recorded until you accept.'
    : origin === 'profile'
      ? 'Your profile belongs to the private baseline, so it needs your consent first.'
      : 'Welcome to the private human baseline.';
  const embed = new EmbedBuilder()
    .setTitle(clip(notice.title, 256))
    .setDescription(clip(notice.text, EMBED_DESCRIPTION_LIMIT))
    .setColor(0x5865f2)
    .toJSON();
  return {
    content: intro,
    embeds: [embed],
    components: [
      row(
        button(
          consentId('accept', notice.version, origin),
          clip(notice.acceptLabel, 80),
          ButtonStyle.Success,
        ),
        button(
          consentId('decline', notice.version, origin),
          clip(notice.declineLabel, 80),
          ButtonStyle.Secondary,
        ),
      ),
    ],
  };
}

export const DECLINED_TEXT =
  'No problem: nothing was recorded. You can read the notice again with `/baseline` whenever you like.';

export const OUTDATED_NOTICE_TEXT =
  'That notice has since been replaced by a newer one, so the button no longer counts. Run `/baseline` to read the current notice.';

// ---- a pair -------------------------------------------------------------------------------------------

function progressLine(progress: BaselineProgress): string {
  const next = progress.answered + 1;
  const left = progress.remaining;
  return `🔒 **Private baseline** · your pair ${next} · ${left} left (of ${progress.total})`;
}

/** What a pair message shows of the question: its text, the options and the participant's own choices. */
export type QuestionFace = Pick<BaselineQuestion, 'question' | 'options' | 'choices'>;

function choiceLine(question: QuestionFace, slot: ImageSlot, option: Option | null): string {
  if (option === null) return `Image ${slot + 1}: not answered yet`;
  return `☑️ Image ${slot + 1}: you chose **${option}** (${escapeMarkdown(clip(question.options[option], 80))})`;
}

/** The text of a pair being answered; `choices` are the participant's own answers so far. */
export function pairContent(question: QuestionFace, progress: BaselineProgress | null): string {
  const [first, second] = question.choices;
  const next =
    first === null && second === null
      ? 'Answer **both** images: 1 is on the left, 2 on the right. Take your time; each answer is final.'
      : `Now image ${first === null ? 1 : 2}.`;
  const lines = [
    ...(progress === null ? ['🔒 **Private baseline**'] : [progressLine(progress)]),
    `> ${clip(escapeMarkdown(question.question).replaceAll('\n', ' '), 900)}`,
    `**A:** ${clip(escapeMarkdown(question.options.A), OPTION_LIMIT)}`,
    `**B:** ${clip(escapeMarkdown(question.options.B), OPTION_LIMIT)}`,
    '',
    choiceLine(question, 0, first),
    choiceLine(question, 1, second),
    next,
  ];
  return clip(lines.join('\n'), CONTENT_LIMIT);
}

/**
 * Image 1 → A/B, image 2 → A/B, then Full size and Stop. An answered image's buttons are disabled (answers
 * are final) and the one chosen is green: the participant's own choice, never the right answer.
 */
export function pairComponents(token: string, choices: [Option | null, Option | null]): ButtonRow[] {
  const answerRow = (slot: ImageSlot) =>
    row(
      ...(['A', 'B'] as const).map((option) =>
        button(
          answerId(token, slot, option),
          `Image ${slot + 1} → ${option}`,
          choices[slot] === option ? ButtonStyle.Success : ButtonStyle.Primary,
          choices[slot] !== null,
        ),
      ),
    );
  return [
    answerRow(0),
    answerRow(1),
    row(
      button(fullSizeId(token), 'Full size', ButtonStyle.Secondary),
      button(STOP_ID, 'Stop', ButtonStyle.Danger),
    ),
  ];
}

export function pairMessage(
  question: QuestionFace,
  progress: BaselineProgress | null,
  token: string,
): BaselinePayload {
  return {
    content: pairContent(question, progress),
    embeds: [],
    components: pairComponents(token, question.choices),
  };
}

export function allDoneText(progress: BaselineProgress): string {
  const quiz =
    progress.answeredInQuiz > 0
      ? ` ${progress.answeredInQuiz} more were left out because you had already answered them in a quiz, where the answers are shown.`
      : '';
  return `🎉 You have answered every pair available to you (${progress.answered} in the baseline).${quiz} Thank you for taking part!`;
}

export const STOPPED_TEXT =
  '⏸️ Stopped. Your answers so far are saved. Run `/baseline` whenever you like to go on where you left off.';

// ---- the reveal ---------------------------------------------------------------------------------------

function verdict(reveal: PairReveal): string {
  const { score } = reveal.you;
  if (score.setCorrect) return '✅ **Both right!** You told the two images apart.';
  if (score.confused) return '😵 **Confused:** you gave both images the same answer.';
  if (score.correct[0] || score.correct[1]) return '🟡 **One of two right.**';
  return '❌ **Neither right this time.**';
}

function imageLine(reveal: PairReveal, slot: ImageSlot): string {
  const image = reveal.images[slot];
  const yours =
    image.yours === null ? 'you did not answer' : `you: ${image.yours} ${image.right ? '✅' : '❌'}`;
  const crowd =
    image.crowd.answered === 0
      ? 'nobody else yet'
      : `people: A ${image.crowd.picks.A} · B ${image.crowd.picks.B} (${percent(image.crowd.rightShare)} right of ${image.crowd.answered})`;
  const seen = image.seenBefore ? ' · you had seen this image before' : '';
  return `**Image ${slot + 1} → ${image.correct}:** ${escapeMarkdown(clip(image.correctText, 200))}\n${yours} · ${crowd}${seen}`;
}

function modelLine(model: ModelRevealView): string {
  const name = `\`${clip(model.modelId, 40).replaceAll('`', "'")}\``;
  if (model.status !== 'answered') return `${name}: ⚠️ ${escapeMarkdown(clip(model.reason, 160))}`;
  const part = (slot: ImageSlot) => {
    const chosen = model.chosen[slot];
    return chosen === null
      ? `image ${slot + 1} → no clear answer ❌`
      : `image ${slot + 1} → ${chosen} ${model.score.correct[slot] ? '✅' : '❌'}`;
  };
  const tail = model.score.setCorrect ? ' · both right' : model.score.confused ? ' · 😵 confused' : '';
  return `${name}: ${part(0)} · ${part(1)}${tail}`;
}

function teachingEmbed(reveal: PairReveal, slot: ImageSlot): APIEmbed {
  const image = reveal.images[slot];
  const caption = image.caption.trim();
  const embed = new EmbedBuilder()
    .setTitle(clip(`Image ${slot + 1}: ${image.correct}, ${image.correctText}`, 256))
    .setColor(0x5865f2)
    .setDescription(
      clip(
        caption === '' ? 'No caption was recorded for this image.' : escapeMarkdown(caption),
        CAPTION_LIMIT,
      ),
    );
  if (image.sourceUrl !== null) embed.setURL(image.sourceUrl);
  if (image.categories.length > 0) {
    embed.addFields({ name: 'Categories', value: clip(image.categories.join(', '), 1024), inline: true });
  }
  return embed.toJSON();
}

/** The reveal, shown in place of the pair once both images are answered, with Next pair and Stop. */
export function revealMessage(reveal: PairReveal, progress: BaselineProgress | null): BaselinePayload {
  const c = reveal.crowd;
  const crowd =
    c.participants === 0
      ? '**People:** nobody has finished this pair yet.'
      : `**People:** ${c.participants} finished this pair (you included) · both right **${percent(c.setAccuracy)}** (${c.setCorrect} of ${c.participants})`;
  const shownModels = reveal.models.slice(0, MODELS_SHOWN);
  const moreModels = reveal.models.length - shownModels.length;
  const models =
    reveal.models.length === 0
      ? []
      : [
          '',
          '**Models:**',
          ...shownModels.map(modelLine),
          ...(moreModels > 0 ? [`…and ${moreModels} more`] : []),
        ];
  const results = new EmbedBuilder()
    .setTitle(clip(`Answers · pair ${reveal.pairId}`, 256))
    .setColor(reveal.you.score.setCorrect ? 0x57f287 : 0xed4245)
    .setDescription(
      clip(
        [
          verdict(reveal),
          `> ${escapeMarkdown(clip(reveal.question, 300))}`,
          '',
          imageLine(reveal, 0),
          imageLine(reveal, 1),
          '',
          crowd,
          ...models,
          '',
          `Your time: ${seconds(reveal.you.responseMs)}`,
        ].join('\n'),
        EMBED_DESCRIPTION_LIMIT,
      ),
    )
    .toJSON();
  const finished = progress !== null && progress.remaining === 0;
  const content =
    progress === null
      ? '🔒 **Private baseline**'
      : finished
        ? `🔒 **Private baseline** · 🎉 That was your last pair (${plural(progress.answered, 'pair')} done). Thank you for taking part!`
        : `🔒 **Private baseline** · ${plural(progress.answered, 'pair')} done, ${progress.remaining} left`;
  return {
    content,
    embeds: [results, teachingEmbed(reveal, 0), teachingEmbed(reveal, 1)],
    components: finished
      ? []
      : [
          row(
            button(NEXT_ID, 'Next pair', ButtonStyle.Primary),
            button(STOP_ID, 'Stop', ButtonStyle.Secondary),
          ),
        ],
  };
}

/** A pair's buttons once the participant moved on: gone, so the old message stays as a record. */
export const NO_COMPONENTS: ButtonRow[] = [];

// ---- profile ------------------------------------------------------------------------------------------

export function profileText(profile: Profile | null, changed: boolean): string {
  const level = trainingLevelLabel(profile?.trainingLevel ?? null);
  const specialty = profile?.specialty ?? 'Not given';
  const head = changed ? '✅ Your profile is saved.' : 'Your profile in the private baseline:';
  return [
    head,
    `**Training level:** ${escapeMarkdown(level)}`,
    `**Specialty:** ${escapeMarkdown(specialty)}`,
    '',
    'Both are optional. They are stored under your pseudonym and only group the results (accuracy per training level). ' +
      'Change them with `/profile training_level:… specialty:…`, or clear them with `/profile clear:True`.',
  ].join('\n');
}

export const PROFILE_AFTER_CONSENT =
  '✅ Thank you, your consent is recorded. Now run `/profile` again to give your training level and specialty (both optional), or press **Start** to answer pairs.';

// ---- forget-me ----------------------------------------------------------------------------------------

export function forgetConfirmMessage(): BaselinePayload {
  return {
    content: [
      '⚠️ **Delete everything recorded about you?**',
      'This deletes your consent, your profile, every answer you gave in the private baseline and in quizzes, and your name as the host of finished quizzes. You will disappear from every tally and from every later export.',
      'Files exported before now cannot be recalled. This cannot be undone.',
    ].join('\n'),
    embeds: [],
    components: [
      row(
        button(forgetId('confirm'), 'Delete everything', ButtonStyle.Danger),
        button(forgetId('cancel'), 'Cancel', ButtonStyle.Secondary),
      ),
    ],
  };
}

export const FORGET_CANCELLED = 'Cancelled: nothing was deleted.';

export function forgetDoneText(report: ForgetReport): string {
  const lines = [
    '🗑️ **Done: everything recorded about you is deleted.**',
    `- consent: ${report.consent}`,
    `- profile: ${report.profile}`,
    `- baseline answers: ${report.baselineAnswers}`,
    `- pair in progress: ${report.progress}`,
    `- quiz answers: ${report.quizAnswers}`,
  ];
  if (report.hostedSessionsScrubbed > 0) {
    lines.push(`- finished quizzes you hosted, now without your id: ${report.hostedSessionsScrubbed}`);
  }
  if (report.hostedSessionsRunning > 0) {
    lines.push(
      `- quizzes you are hosting right now: ${report.hostedSessionsRunning} (stop them, then run /forget-me again to remove your id from them)`,
    );
  }
  lines.push('', 'If you use `/baseline` again, it starts afresh with the consent notice.');
  return lines.join('\n');
}
