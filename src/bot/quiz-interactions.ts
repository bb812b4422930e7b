import {
  AttachmentBuilder,
  type BaseInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  escapeMarkdown,
  MessageFlags,
  REST,
  Routes,
} from 'discord.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from '../quiz/clock.js';
import type { Actor, QuizEngine } from '../quiz/engine.js';
import { isQuizError, quizError } from '../quiz/quiz-errors.js';
import { discordHostFacts } from './host.js';
import { loggableError } from './loggable-error.js';
import type { QuizChannelQueue } from './quiz-channel-queue.js';
import type { AnswerArgs, FullSizeArgs, HostArgs } from './quiz-ids.js';
import { answerReply, clip } from './quiz-messages.js';
import type { QuizPresenter } from './quiz-presenter.js';
import type { RoundImages } from './quiz-round-image.js';
import type { QuizTuning } from './quiz-tuning.js';
import { discordActionFailure, discordRefusal } from './quiz-wording.js';

export interface QuizStartOptions {
  category: string | null;
  rounds: number | null;
  seconds: number | null;
  models: string[];
  allowChanges: boolean | null;
}

export interface QuizInteractionsOptions {
  engine: QuizEngine;
  presenter: QuizPresenter;
  queue: QuizChannelQueue;
  images: RoundImages;
  log: Logger;
  scheduler: Scheduler;
  tuning: QuizTuning;
}

const SYSTEM: Actor = { kind: 'system' };

function displayName(interaction: BaseInteraction): string {
  const member = interaction.member;
  if (member !== null && 'displayName' in member && typeof member.displayName === 'string') {
    return member.displayName;
  }
  if (member !== null && 'nick' in member && typeof member.nick === 'string' && member.nick !== '') {
    return member.nick;
  }
  return interaction.user.displayName;
}

function ephemeral(content: string) {
  return {
    content: clip(content, 2000),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  } as const;
}

/**
 * The quiz's slash commands and buttons: `/quiz start`, `/quiz stop`, answer buttons, host buttons
 * (Reveal, Next, Skip, Stop) and Full size. Each is forwarded to the engine, which decides; what it changed
 * is rendered by the presenter from the engine's events, and the reply to a host follows that rendering in
 * the channel's queue. Answer clicks do not queue: they go straight to the engine, which takes thousands
 * at once.
 *
 * Every answer click is acknowledged within Discord's 3 seconds: the private confirmation is sent as the
 * first response when the durable write finishes quickly (one request), otherwise the click is deferred and
 * the confirmation follows as an edit. Deferring every click instead would double the requests, and
 * discord.js counts the edits against the bot's global limit of 50 requests a second (1000 clicks: 20 s
 * until the last confirmation), although Discord exempts interaction endpoints from it; the edits of
 * deferred clicks therefore go through a REST client of their own without that gate.
 */
export class QuizInteractions {
  private readonly engine: QuizEngine;
  private readonly presenter: QuizPresenter;
  private readonly queue: QuizChannelQueue;
  private readonly images: RoundImages;
  private readonly log: Logger;
  private readonly scheduler: Scheduler;
  private readonly tuning: QuizTuning;
  private interactionRest: REST | null = null;

  constructor(options: QuizInteractionsOptions) {
    this.engine = options.engine;
    this.presenter = options.presenter;
    this.queue = options.queue;
    this.images = options.images;
    this.log = options.log;
    this.scheduler = options.scheduler;
    this.tuning = options.tuning;
  }

  attach(client: Client): void {
    // Made now rather than on the first deferred click, in the middle of a burst.
    this.interactionRest = new REST({
      ...client.options.rest,
      globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
    });
  }

  private guildChannel(interaction: BaseInteraction): { channelId: string; guildId: string } {
    if (!interaction.inGuild() || interaction.channelId === null) {
      throw new UserFacingError('QUIZ_GUILD_ONLY', 'Quizzes run in server channels, not in direct messages.');
    }
    return { channelId: interaction.channelId, guildId: interaction.guildId };
  }

  /**
   * With several processes on one store (two shards, or two processes of one shard during a rolling
   * restart, which both receive the channel's events), only the process running the channel's quiz may
   * answer: this throws SESSION_ELSEWHERE, which the router answers with silence, when another live
   * process runs it. Cheap when this process runs a quiz here (no store read).
   */
  private async ensureNotElsewhere(channelId: string): Promise<void> {
    if (this.engine.session(channelId) !== null) return;
    if (await this.engine.runsElsewhere(channelId)) {
      throw quizError('SESSION_ELSEWHERE', 'Another process of this bot runs the quiz in this channel.');
    }
  }

  /** The member as the engine's host rule sees them, with the facts only Discord knows. */
  private actor(interaction: BaseInteraction, hostRole: string | null): Actor {
    return { kind: 'member', userId: interaction.user.id, ...discordHostFacts(interaction, hostRole) };
  }

  /** `/quiz start`: starts the channel's session, announces it and posts the first question. */
  async start(interaction: ChatInputCommandInteraction, options: QuizStartOptions): Promise<void> {
    const { channelId, guildId } = this.guildChannel(interaction);
    const started = await this.engine.start({
      roomId: channelId,
      guildId,
      hostUserId: interaction.user.id,
      category: options.category,
      ...(options.rounds !== null ? { rounds: options.rounds } : {}),
      ...(options.seconds !== null ? { secondsPerRound: options.seconds } : {}),
      models: options.models,
      ...(options.allowChanges !== null ? { allowChanges: options.allowChanges } : {}),
      revealPauseMs: this.tuning.revealPauseMs,
    });
    const s = started.session.settings;
    const lines = [
      `🩻 **${escapeMarkdown(displayName(interaction))}** started a quiz: ${s.rounds} question${s.rounds === 1 ? '' : 's'} · ${s.secondsPerRound} s each · ${s.category ? `category ${escapeMarkdown(s.category)}` : 'all categories'}${s.models.length > 0 ? ` · models: ${s.models.map((m) => `\`${m}\``).join(', ')}` : ''}.`,
      s.allowChanges
        ? 'Answer both images of each pair; you can change your answers until the reveal.'
        : 'Answer both images of each pair; your answers lock once both are given.',
      ...started.notices,
    ];
    const { sessionId } = started.session;
    try {
      await interaction.reply({ content: clip(lines.join('\n'), 2000), allowedMentions: { parse: [] } });
      // Queued by the engine's round-opened event while it started the session.
      await this.presenter.firstRound(sessionId);
    } catch (err) {
      // A quiz whose question cannot be shown would block the channel: end it, keep nothing half-done.
      this.log.error({ err: loggableError(err), channelId }, 'could not post the first quiz question');
      this.presenter.cancelSession(sessionId);
      await this.queue
        .inChannel(channelId, async () => {
          await this.engine.stop(channelId, SYSTEM, { sessionId });
          await this.presenter.dropChannel(channelId);
        })
        .catch((stopError: unknown) =>
          this.log.error({ err: loggableError(stopError), channelId }, 'could not cancel the quiz'),
        );
      throw new UserFacingError(
        'QUIZ_POST_FAILED',
        'I could not post the question in this channel, so the quiz was cancelled. Check that I can send messages and attach files here, then start again.',
        { cause: err },
      );
    } finally {
      this.presenter.forgetFirstRound(sessionId);
    }
  }

  /** `/quiz stop`: for hosts; reveals an answered open round, then posts the summary. */
  async stopCommand(interaction: ChatInputCommandInteraction, hostRole: string | null): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const session = this.engine.session(channelId);
    if (session === null) {
      throw quizError('NO_SESSION', 'There is no quiz running in this channel.');
    }
    // A typed command names no round: it stops the session running now.
    const at = { sessionId: session.sessionId };
    const actor = this.actor(interaction, hostRole);
    const refusal = this.engine.refusalFor(channelId, actor, at);
    if (refusal !== null) throw discordRefusal(refusal);
    await interaction.deferReply();
    try {
      await this.engine.stop(channelId, actor, at);
    } catch (err) {
      throw isQuizError(err) ? discordRefusal(err) : err;
    }
    // The reveal and summary are queued on the channel by the engine's events; the reply follows them.
    await this.queue.inChannel(channelId, async () => undefined);
    await interaction.editReply({
      content: `⏹️ **${escapeMarkdown(displayName(interaction))}** stopped the quiz. The results follow.`,
      allowedMentions: { parse: [] },
    });
  }

  /** An answer button: records the click and tells the person, privately, what they chose. */
  async answer(interaction: ButtonInteraction, [sessionId, round, slot, option]: AnswerArgs): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const pending = this.engine.answer({
      roomId: channelId,
      userId: interaction.user.id,
      displayName: displayName(interaction),
      slot,
      option,
      sessionId,
      round,
    });
    // Awaited below on every path; this only keeps an early failure from being reported as unhandled.
    pending.catch(() => undefined);
    let timer: { cancel(): void } | undefined;
    // A budget of 0 defers every click: racing a 0 ms timer would make the choice depend on timing.
    const early =
      this.tuning.fastReplyMs <= 0
        ? null
        : await Promise.race([
            pending.then((outcome) => ({ outcome })),
            new Promise<null>((resolve) => {
              timer = this.scheduler.schedule(() => resolve(null), this.tuning.fastReplyMs);
            }),
          ]).finally(() => timer?.cancel());
    const state = this.presenter.current(channelId, sessionId, round);
    const pair = state?.face.pair ?? null;
    // The response goes first; the live counter (a throttled message edit) is updated after it.
    if (early !== null) {
      try {
        await interaction.reply(ephemeral(answerReply(early.outcome, pair)));
      } finally {
        this.presenter.countAnswer(state, early.outcome);
      }
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const outcome = await pending;
    try {
      await this.editDeferred(interaction, answerReply(outcome, pair));
    } finally {
      this.presenter.countAnswer(state, outcome);
    }
  }

  /**
   * Fills in a deferred response through the interaction webhook. Authorised by the interaction token
   * alone and exempt from Discord's global rate limit, so it bypasses discord.js's global gate; each
   * token still has its own route bucket, honoured by the REST client.
   */
  private async editDeferred(interaction: ButtonInteraction, content: string): Promise<void> {
    if (this.interactionRest === null) {
      this.interactionRest = new REST({
        ...interaction.client.options.rest,
        globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
      });
    }
    await this.interactionRest.patch(Routes.webhookMessage(interaction.applicationId, interaction.token), {
      auth: false,
      body: { content: clip(content, 2000), allowed_mentions: { parse: [] } },
    });
  }

  /**
   * Reveal / Next / Skip / Stop buttons: forwarded to the engine with the session and round they belong to;
   * the engine refuses a press that is not a host's or whose question is no longer current (a second host
   * pressing Next at the same moment), and changes nothing then.
   */
  async hostButton(interaction: ButtonInteraction, args: HostArgs, hostRole: string | null): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const [sessionId, round, action] = args;
    const at = { sessionId, round };
    const actor = this.actor(interaction, hostRole);
    // Checked before acknowledging, so a refused press gets a private reply instead of a silent update.
    const refusal = this.engine.refusalFor(channelId, actor, at);
    if (refusal !== null) {
      await interaction.reply(ephemeral(discordRefusal(refusal).message));
      return;
    }
    await interaction.deferUpdate();
    let note: string | null = null;
    try {
      switch (action) {
        case 'reveal':
          if (!(await this.engine.reveal(channelId, actor, at)).fresh) {
            note = 'That question has already been revealed.';
          }
          break;
        case 'next':
          await this.engine.next(channelId, actor, at);
          break;
        case 'skip':
          await this.engine.skip(channelId, actor, at);
          break;
        case 'stop':
          await this.engine.stop(channelId, actor, at);
          break;
      }
    } catch (err) {
      // Refusals and failures alike go to the host who pressed: a store outage is not a skipped round.
      if (isQuizError(err)) note = discordRefusal(err).message;
      else {
        this.log.error({ err: loggableError(err), channelId, action }, 'quiz host action failed');
        note = discordActionFailure(action);
      }
    }
    // What the press changed is rendered from the engine's events, queued on the channel; the note follows.
    await this.queue.inChannel(channelId, async () => undefined);
    if (note !== null) await interaction.followUp(ephemeral(note));
  }

  /** "Full size": both original images, only for the person who asked. */
  async fullSize(interaction: ButtonInteraction, [sessionId, round]: FullSizeArgs): Promise<void> {
    const { channelId } = this.guildChannel(interaction);
    await this.ensureNotElsewhere(channelId);
    const state = this.presenter.current(channelId, sessionId, round);
    if (state === null) {
      await interaction.reply(ephemeral('That question is over, so its images are no longer offered here.'));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const originals = await this.images.originals(state.face.pair);
    const files = originals.flatMap((image, slot) =>
      image === null
        ? []
        : [new AttachmentBuilder(image.bytes, { name: `image-${slot + 1}${image.extension}` })],
    );
    const missing = originals.flatMap((image, slot) => (image === null ? [slot + 1] : []));
    await interaction.editReply({
      content:
        files.length === 0
          ? "Sorry, the images of this question are not on the bot's server."
          : `Image 1 and image 2 at full size (question ${state.face.number}).${missing.length > 0 ? ` Image ${missing.join(' and ')} is missing on the bot's server.` : ''}`,
      files,
      allowedMentions: { parse: [] },
    });
  }
}
