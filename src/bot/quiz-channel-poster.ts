import type { Client, Message, MessageCreateOptions, MessageEditOptions } from 'discord.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { loggableError } from './loggable-error.js';

/**
 * Posts and edits the quiz's messages in a channel with the bot's client. Round questions, reveals and
 * summaries are ordinary channel messages, not interaction replies, whose tokens expire after 15 minutes.
 * Nothing the quiz posts mentions anyone.
 */
export class QuizChannelPoster {
  private readonly log: Logger;
  private client: Client | null = null;

  constructor(log: Logger) {
    this.log = log;
  }

  attach(client: Client): void {
    this.client = client;
  }

  private async channel(channelId: string) {
    if (this.client === null) throw new Error('DiscordQuiz: attach(client) was not called');
    const channel = await this.client.channels.fetch(channelId);
    if (channel === null || !channel.isSendable()) {
      throw new UserFacingError(
        'QUIZ_CHANNEL_UNAVAILABLE',
        'I cannot post in this channel. Check that I can view it, send messages and attach files here.',
      );
    }
    return channel;
  }

  async send(channelId: string, payload: MessageCreateOptions): Promise<Message> {
    const channel = await this.channel(channelId);
    return channel.send({ ...payload, allowedMentions: { parse: [] } });
  }

  /** Edits a message the bot posted earlier; a message deleted meanwhile is logged, not fatal. */
  async edit(channelId: string, messageId: string, payload: MessageEditOptions): Promise<void> {
    try {
      const channel = await this.channel(channelId);
      await channel.messages.edit(messageId, { ...payload, allowedMentions: { parse: [] } });
    } catch (err) {
      this.log.warn({ err: loggableError(err), channelId, messageId }, 'could not edit a quiz message');
    }
  }
}
