import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  type Message,
  MessageFlags,
} from 'discord.js';
import { CONSENT_VERSION } from '../baseline/consent.js';
import type { ProfileUpdate } from '../baseline/profile.js';
import type { BaselineProgress, BaselineService } from '../baseline/service.js';
import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { buildDiscordExport, exportAttachments } from './baseline-export.js';
import { type AnswerArgs, type ConsentArgs, NEXT_ID, PairTokens } from './baseline-ids.js';
import {
  allDoneText,
  CONTENT_LIMIT,
  clip,
  consentMessage,
  DECLINED_TEXT,
  FORGET_CANCELLED,
  forgetConfirmMessage,
  forgetDoneText,
  OUTDATED_NOTICE_TEXT,
  PAIR_FILE_NAME,
  PROFILE_AFTER_CONSENT,
  pairComponents,
  pairContent,
  pairMessage,
  profileText,
  revealMessage,
  STOPPED_TEXT,
} from './baseline-messages.js';
import { isQuizHost } from './host.js';
import { RoundImages } from './quiz-round-image.js';

/**
 * The private human baseline on Discord: /baseline, /profile, /forget-me and /export over the core's
 * BaselineService. Every message is ephemeral, so only the participant sees their pairs, choices and
 * reveals. The core keeps all state; this class only remembers, in memory, when each pair was put on
 * screen, to measure response times from that moment (after a restart the core's own serving time is used).
 */

export interface DiscordBaselineOptions {
  service: BaselineService;
  /** The same store, set and secret as the service: /export reads everything from them. */
  store: Store;
  set: PairSet;
  secret: string;
  log: Logger;
  /** The composite builder (default: a new one over the set's images folder). */
  images?: RoundImages;
  /** How many shown-at times to remember (default 10,000; the oldest are dropped). */
  maxShown?: number;
}

export interface ExportRequest {
  withQuiz: boolean;
  excludeSeen: boolean;
}

interface Shown {
  at: number;
  progress: BaselineProgress | null;
}

function ephemeral(content: string): InteractionReplyOptions {
  return {
    content: clip(content, CONTENT_LIMIT),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  };
}

/** When a message became visible as it is now: its last edit, or its creation. */
function visibleSince(message: Message): number {
  return message.editedTimestamp ?? message.createdTimestamp;
}

const MAX_RESPONSE_MS = 24 * 3600_000;

export class DiscordBaseline {
  readonly service: BaselineService;
  private readonly options: DiscordBaselineOptions;
  private readonly tokens: PairTokens;
  private readonly images: RoundImages;
  private readonly shown = new Map<string, Shown>();
  private readonly maxShown: number;
  private readonly log: Logger;

  constructor(options: DiscordBaselineOptions) {
    this.options = options;
    this.service = options.service;
    this.tokens = new PairTokens(options.set);
    this.log = options.log.child({ component: 'discord-baseline' });
    this.images = options.images ?? new RoundImages({ imagesDir: options.set.imagesDir, log: this.log });
    this.maxShown = options.maxShown ?? 10_000;
  }

  // ---- /baseline ----------------------------------------------------------------------------------------

  /** `/baseline`: the consent notice the first time, otherwise the pair to answer now. */
  async start(interaction: ChatInputCommandInteraction): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const status = await this.service.consentStatus(interaction.user.id);
    if (!status.accepted) {
      await interaction.editReply(consentMessage(status.notice, 'pairs', status.reason === 'outdated'));
      return;
    }
    await this.showNext(interaction, 'edit');
  }

  /** Accept or Decline under the notice. Nothing is written before Accept. */
  async consentButton(interaction: ButtonInteraction, [action, version, origin]: ConsentArgs): Promise<void> {
    if (version !== CONSENT_VERSION) {
      await interaction.update({ content: OUTDATED_NOTICE_TEXT, embeds: [], components: [] });
      return;
    }
    if (action === 'decline') {
      await interaction.update({ content: DECLINED_TEXT, embeds: [], components: [] });
      return;
    }
    await interaction.deferUpdate();
    await this.service.acceptConsent(interaction.user.id);
    if (origin === 'profile') {
      await interaction.editReply({
        content: PROFILE_AFTER_CONSENT,
        embeds: [],
        components: [
          new ActionRowBuilder<ButtonBuilder>()
            .addComponents(
              new ButtonBuilder().setCustomId(NEXT_ID).setLabel('Start').setStyle(ButtonStyle.Primary),
            )
            .toJSON(),
        ],
      });
      return;
    }
    await this.showNext(interaction, 'edit');
  }

  /** An answer button: records it, then shows the choice, or the reveal once both images are answered. */
  async answer(interaction: ButtonInteraction, [token, slot, option]: AnswerArgs): Promise<void> {
    const pair = this.tokens.pairOf(token);
    if (pair === undefined) {
      await interaction.reply(
        ephemeral(
          'That pair is not in the question set this bot uses now, so the button no longer counts. Run `/baseline` for your next pair.',
        ),
      );
      return;
    }
    const userId = interaction.user.id;
    const shown = this.shown.get(shownKey(userId, pair.id));
    await interaction.deferUpdate();
    const outcome = await this.service.answer(userId, {
      pairId: pair.id,
      slot,
      option,
      ...responseTime(shown, interaction.createdTimestamp),
    });
    if (!outcome.ok) {
      if (outcome.code === 'CONSENT_REQUIRED') {
        await interaction.followUp({
          ...consentMessage(outcome.notice, 'pairs', false),
          flags: MessageFlags.Ephemeral,
        });
      } else {
        await interaction.followUp(ephemeral(outcome.message));
      }
      return;
    }
    if (outcome.reveal !== null) {
      this.shown.delete(shownKey(userId, pair.id));
      await interaction.editReply(revealMessage(outcome.reveal, outcome.progress));
      return;
    }
    const view = { question: pair.question, options: { ...pair.options }, choices: outcome.choices };
    await interaction.editReply({
      content: pairContent(view, shown?.progress ?? null),
      components: pairComponents(token, outcome.choices),
    });
  }

  /** "Next pair" (or "Start" after consenting from /profile): the pair to answer now, in a new message. */
  async next(interaction: ButtonInteraction): Promise<void> {
    await interaction.deferUpdate();
    // The message it was on stays as a record of that reveal, without buttons.
    await interaction.editReply({ components: [] });
    await this.showNext(interaction, 'followUp');
  }

  /** "Stop": the answers are saved; a pair in progress stays the next one. */
  async stop(interaction: ButtonInteraction): Promise<void> {
    const onReveal = interaction.message.embeds.length > 0;
    await interaction.update(
      onReveal
        ? { content: STOPPED_TEXT, components: [] }
        : { content: STOPPED_TEXT, embeds: [], components: [], attachments: [] },
    );
  }

  /** "Full size": both original images, only for the person who asked. */
  async fullSize(interaction: ButtonInteraction, [token]: [string]): Promise<void> {
    const pair = this.tokens.pairOf(token);
    if (pair === undefined) {
      await interaction.reply(ephemeral('That pair is not in the question set this bot uses now.'));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const originals = await this.images.originals(pair);
    const files = originals.flatMap((image, slot) =>
      image === null
        ? []
        : [new AttachmentBuilder(image.bytes, { name: `image-${slot + 1}${image.extension}` })],
    );
    await interaction.editReply({
      content:
        files.length === 0
          ? "Sorry, the images of this pair are not on the bot's server."
          : 'Image 1 and image 2 at full size.',
      files,
    });
  }

  private async showNext(
    interaction: ChatInputCommandInteraction | ButtonInteraction,
    mode: 'edit' | 'followUp',
  ): Promise<void> {
    const userId = interaction.user.id;
    const send = async (payload: Parameters<typeof interaction.editReply>[0] & object): Promise<Message> =>
      mode === 'edit'
        ? interaction.editReply(payload)
        : interaction.followUp({ ...(payload as object), flags: MessageFlags.Ephemeral });
    const next = await this.service.nextPair(userId);
    if (!next.ok) {
      await send(consentMessage(next.notice, 'pairs', false));
      return;
    }
    if (next.question === null) {
      await send({ content: allDoneText(next.progress), embeds: [], components: [] });
      return;
    }
    const question = next.question;
    const pair = this.pair(question.pairId);
    const composite = await this.images.composite(pair);
    const token = this.tokens.tokenOf(pair.id);
    const message = await send({
      ...pairMessage(question, next.progress, token),
      files: [
        new AttachmentBuilder(composite.bytes, {
          name: PAIR_FILE_NAME,
          description: 'Image 1 on the left, image 2 on the right',
        }),
      ],
      allowedMentions: { parse: [] },
    });
    this.remember(shownKey(userId, pair.id), { at: visibleSince(message), progress: next.progress });
  }

  private pair(pairId: string): ConfusingPair {
    const pair = this.options.set.pairs.find((p) => p.id === pairId);
    if (pair === undefined) throw new Error(`baseline served pair ${pairId}, which is not in the bot's set`);
    return pair;
  }

  private remember(key: string, value: Shown): void {
    this.shown.delete(key);
    this.shown.set(key, value);
    while (this.shown.size > this.maxShown) {
      const oldest = this.shown.keys().next().value;
      if (oldest === undefined) break;
      this.shown.delete(oldest);
    }
  }

  // ---- /profile -----------------------------------------------------------------------------------------

  async profile(
    interaction: ChatInputCommandInteraction,
    request: { trainingLevel: string | null; specialty: string | null; clear: boolean },
  ): Promise<void> {
    const userId = interaction.user.id;
    const status = await this.service.consentStatus(userId);
    if (!status.accepted) {
      await interaction.reply({
        ...consentMessage(status.notice, 'profile', status.reason === 'outdated'),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const update: Record<string, string | null> = {};
    if (request.clear) {
      update.trainingLevel = null;
      update.specialty = null;
    }
    if (request.trainingLevel !== null) update.trainingLevel = request.trainingLevel;
    if (request.specialty !== null) update.specialty = request.specialty;
    const changing = Object.keys(update).length > 0;
    // The core validates the values (a forged interaction can send any string as a "choice").
    const result = changing
      ? await this.service.setProfile(userId, update as ProfileUpdate)
      : await this.service.profile(userId);
    if (!result.ok) {
      await interaction.reply(
        result.code === 'CONSENT_REQUIRED'
          ? { ...consentMessage(result.notice, 'profile', false), flags: MessageFlags.Ephemeral }
          : ephemeral(result.message),
      );
      return;
    }
    await interaction.reply(ephemeral(profileText(result.profile, changing)));
  }

  // ---- /forget-me ---------------------------------------------------------------------------------------

  async forgetCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    await interaction.reply({ ...forgetConfirmMessage(), flags: MessageFlags.Ephemeral });
  }

  async forgetButton(interaction: ButtonInteraction, action: 'confirm' | 'cancel'): Promise<void> {
    if (action === 'cancel') {
      await interaction.update({ content: FORGET_CANCELLED, components: [] });
      return;
    }
    await interaction.deferUpdate();
    const userId = interaction.user.id;
    const report = await this.service.forget(userId);
    for (const key of [...this.shown.keys()]) if (key.startsWith(`${userId}\u0000`)) this.shown.delete(key);
    await interaction.editReply({ content: forgetDoneText(report), components: [] });
  }

  // ---- /export ------------------------------------------------------------------------------------------

  async export(interaction: ChatInputCommandInteraction, hostRole: string | null, request: ExportRequest) {
    if (!isQuizHost(interaction, hostRole)) {
      throw new UserFacingError(
        'EXPORT_HOSTS_ONLY',
        'Only hosts can export the baseline: members who can manage the server' +
          (hostRole === null ? '.' : ` or have the ${hostRole} role.`),
      );
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const { store, set, secret } = this.options;
    const result = await buildDiscordExport({ store, set, secret, log: this.log, ...request });
    const packed = await exportAttachments(result, interaction.attachmentSizeLimit);
    const s = result.summary;
    const counts =
      `**Human baseline export** (${s.set} set): ${s.answers} answers (${s.baselineAnswers} baseline, ` +
      `${s.quizAnswers} quiz) of ${s.participants} participants, under pseudonymous ids.`;
    const scope =
      'It covers the whole deployment (every server and the web page): baseline answers belong to no server, and the export has no per-server filter.';
    if (packed === null) {
      await interaction.editReply({
        content: `${counts}\nThe files are too large to attach here. Run \`mediconfusion export\` on the bot's machine instead.`,
      });
      return;
    }
    const names = packed.attachments.map((a) => `\`${a.name}\``).join(', ');
    const note = packed.looseLeftOut
      ? '\nEverything is in the .tar.gz (the files one by one would exceed the upload limit).'
      : '';
    this.log.info(
      { userId: interaction.user.id, guildId: interaction.guildId, answers: s.answers },
      'baseline exported on Discord',
    );
    await interaction.editReply({
      content: clip(`${counts}\n${scope}\nAttached: ${names}.${note}`, CONTENT_LIMIT),
      files: packed.attachments.map((a) => new AttachmentBuilder(a.bytes, { name: a.name })),
    });
  }
}

function shownKey(userId: string, pairId: string): string {
  return `${userId}\u0000${pairId}`;
}

/** Click time minus display time, both Discord's clock; nothing when the display time is not known. */
function responseTime(shown: Shown | undefined, clickedAt: number): { responseMs?: number } {
  if (shown === undefined) return {};
  const ms = clickedAt - shown.at;
  if (!Number.isFinite(ms) || ms > MAX_RESPONSE_MS) return {};
  return { responseMs: Math.max(0, ms) };
}
