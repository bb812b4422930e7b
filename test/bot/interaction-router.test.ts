import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  GatewayDispatchEvents,
  InteractionResponseType,
  MessageFlags,
  REST,
  Routes,
  SlashCommandBuilder,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type Command, componentRoute } from '../../src/bot/command.js';
import { encodeCustomId } from '../../src/bot/custom-id.js';
import { APOLOGY, UNKNOWN_COMPONENT } from '../../src/bot/interaction-router.js';
import { UserFacingError } from '../../src/errors.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { type BotHarness, startBot } from './harness.js';

/** Commands that exist only to exercise the router's failure paths. */
const votes: string[] = [];
const testCommands: Command[] = [
  {
    data: new SlashCommandBuilder().setName('boom').setDescription('Fails before answering'),
    async execute() {
      throw new Error('the answer store is on fire');
    },
  },
  {
    data: new SlashCommandBuilder().setName('slow-boom').setDescription('Defers, then fails'),
    async execute(interaction) {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      throw new Error('failed after deferring');
    },
  },
  {
    data: new SlashCommandBuilder().setName('refuse-late').setDescription('Defers, then refuses'),
    async execute(interaction) {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      throw new UserFacingError('QUIZ_NOT_RUNNING', 'No quiz is running in this channel.');
    },
  },
  {
    data: new SlashCommandBuilder().setName('vote').setDescription('Posts a button'),
    async execute(interaction) {
      const button = new ButtonBuilder()
        .setCustomId(encodeCustomId('test-vote', 'A'))
        .setLabel('A')
        .setStyle(ButtonStyle.Primary);
      await interaction.reply({
        content: 'Vote!',
        components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)],
      });
    },
    components: [
      componentRoute('test-vote', z.tuple([z.enum(['A', 'B'])]), async (interaction, [choice]) => {
        votes.push(choice);
        if (interaction.isButton()) await interaction.update({ content: `Voted ${choice}`, components: [] });
      }),
    ],
  },
];

describe('the interaction router', () => {
  let h: BotHarness;
  let member: FakeUser;
  beforeAll(async () => {
    h = await startBot({ extraCommands: testCommands });
    member = h.fake.addUser({ username: 'student1' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const errorLogsFor = (interactionId: string) =>
    h.logs.entries().filter((e) => e.level === 50 && e.interactionId === interactionId);

  it('leaves an interaction another process of the bot answered first, logging no error', async () => {
    // Another process (the other side of a rolling restart) answers first, over REST.
    const sent = h.fake.createSlashCommand(member, { name: 'vote' });
    const other = new REST({ api: h.fake.apiBase });
    await other.post(Routes.interactionCallback(sent.id, sent.token), {
      body: { type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'first' } },
      auth: false,
    });
    h.fake.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, h.fake.interaction(sent.id).payload);
    await h.fake.waitForRequest(
      (r) => r.params.interaction_id === sent.id && r.status === 400,
      'the bot’s refused second answer',
    );
    const settled = () =>
      h.logs.entries().find((e) => e.interactionId === sent.id && String(e.msg).includes('another process'));
    // The log line follows the refused request, which the fake's waits cannot see: polled.
    await vi.waitFor(() => expect(settled()).toBeDefined());
    expect(errorLogsFor(sent.id)).toEqual([]);
    expect(h.fake.interaction(sent.id).callbacks.map((c) => c.data?.content)).toEqual(['first']);
  });

  it('answers an unexpected error with a short apology only the user sees', async () => {
    const sent = h.fake.dispatchSlashCommand(member, { name: 'boom' });
    const callback = await h.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(callback.ephemeral).toBe(true);
    expect(callback.data?.content).toBe(APOLOGY);
    expect(APOLOGY).not.toContain('on fire');
  });

  it('logs the unexpected error with its stack under `err`', async () => {
    const sent = h.fake.dispatchSlashCommand(member, { name: 'boom' });
    await h.fake.waitForCallback(sent.id);
    const [entry] = errorLogsFor(sent.id);
    expect(entry?.msg).toBe('interaction failed');
    expect(entry?.command).toBe('boom');
    const err = entry?.err as { message?: string; stack?: string } | undefined;
    expect(err?.message).toBe('the answer store is on fire');
    expect(err?.stack).toContain('interaction-router.test.ts');
  });

  it('sends the apology as a follow-up when the command had already deferred', async () => {
    const sent = h.fake.dispatchSlashCommand(member, { name: 'slow-boom' });
    const followUp = await h.fake.waitForFollowUp(sent.id);
    expect(followUp.content).toBe(APOLOGY);
    expect(followUp.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const request = h.fake.requests.find(
      (r) => r.route === '/webhooks/{webhook_id}/{webhook_token}' && r.params.webhook_token === sent.token,
    );
    expect((request?.body as { flags?: number } | undefined)?.flags).toBe(MessageFlags.Ephemeral);
    expect(errorLogsFor(sent.id)).toHaveLength(1);
  });

  it('sends a UserFacingError’s own text after a deferral, and does not log it as an error', async () => {
    const sent = h.fake.dispatchSlashCommand(member, { name: 'refuse-late' });
    const followUp = await h.fake.waitForFollowUp(sent.id);
    expect(followUp.content).toBe('No quiz is running in this channel.');
    expect(followUp.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(errorLogsFor(sent.id)).toHaveLength(0);
  });

  it('runs the handler of a button whose custom id it made', async () => {
    const command = h.fake.dispatchSlashCommand(member, { name: 'vote' });
    const posted = await h.fake.waitForReply(command.id);
    const press = h.fake.dispatchButton(member, 'test-vote:A', posted);
    const callback = await h.fake.waitForCallback(press.id);
    expect(callback.type).toBe(InteractionResponseType.UpdateMessage);
    expect(h.fake.message(posted.id).content).toBe('Voted A');
    expect(votes).toContain('A');
  });

  it.each([
    ['an argument its schema refuses', 'test-vote:C'],
    ['an unknown prefix', 'quiz-admin:reset:all'],
    ['a path-like payload', 'test-vote:../../etc/passwd'],
    ['no separator at all', 'DROP TABLE answers;'],
    ['too many arguments', 'test-vote:A:B:C'],
    ['the maximum length of junk', 'x'.repeat(100)],
  ])('politely declines a forged custom id with %s, changing nothing', async (_what, customId) => {
    const before = votes.length;
    const press = h.fake.dispatchButton(member, customId);
    const callback = await h.fake.waitForCallback(press.id);
    expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(callback.ephemeral).toBe(true);
    expect(callback.data?.content).toBe(UNKNOWN_COMPONENT);
    expect(votes).toHaveLength(before);
    expect(errorLogsFor(press.id)).toHaveLength(0);
  });

  it('tells the user when a command is unknown to this version of the bot', async () => {
    const sent = h.fake.dispatchSlashCommand(member, { name: 'flashcards' });
    const callback = await h.fake.waitForCallback(sent.id);
    expect(callback.ephemeral).toBe(true);
    expect(callback.data?.content).toContain('/flashcards');
  });

  it('still replies when Discord rate-limits the first callback (429 with retry_after)', async () => {
    const route = '/interactions/{interaction_id}/{interaction_token}/callback';
    h.fake.injectFault({ route, status: 429, retryAfter: 0.05 });
    const sent = h.fake.dispatchSlashCommand(member, { name: 'boom' });
    const callback = await h.fake.waitForCallback(sent.id);
    expect(callback.data?.content).toBe(APOLOGY);
    const attempts = h.fake.requests.filter((r) => r.route === route && r.params.interaction_id === sent.id);
    expect(attempts.map((r) => r.status)).toEqual([429, 204]);
  });

  it('apologises when Discord keeps failing to take the /pair images, and logs no image bytes', async () => {
    const route = '/webhooks/{webhook_id}/{webhook_token}/messages/@original';
    h.fake.injectFault({ route, method: 'PATCH', status: 500, times: 4 });
    const sent = h.fake.dispatchSlashCommand(member, { name: 'pair', options: { id: '10001' } });
    const followUp = await h.fake.waitForFollowUp(sent.id);
    expect(followUp.content).toBe(APOLOGY);
    const [entry] = errorLogsFor(sent.id);
    const err = entry?.err as { status?: number; requestBody?: { files?: unknown } } | undefined;
    expect(err?.status).toBe(500);
    expect(err?.requestBody?.files).toEqual([
      { name: 'image-1.jpg', bytes: expect.any(Number) },
      { name: 'image-2.jpg', bytes: expect.any(Number) },
    ]);
    const line = h.logs.lines.find((l) => l.includes(sent.id) && l.includes('"level":50')) ?? '';
    expect(line.length).toBeLessThan(10_000);
  });

  it('logs each REST retry after a 429 or a 5xx at warn, with route, status and delay', async () => {
    const route = '/interactions/{interaction_id}/{interaction_token}/callback';
    h.fake.injectFault({ route, status: 429, retryAfter: 0.05 });
    h.fake.injectFault({ route, status: 502 });
    const from = h.logs.lines.length;
    const sent = h.fake.dispatchSlashCommand(member, { name: 'boom' });
    await h.fake.waitForCallback(sent.id);
    const retries = h.logs
      .entries()
      .slice(from)
      .filter((e) => e.msg === 'discord request failed; retrying');
    expect(retries.map((e) => [e.level, e.status, e.retryInMs])).toEqual(
      expect.arrayContaining([
        [40, 429, 50],
        [40, 502, 0],
      ]),
    );
    for (const entry of retries) {
      expect(entry.method).toBe('POST');
      expect(String(entry.route)).toContain('/interactions/');
    }
    expect(h.logs.lines.slice(from).join('\n')).not.toContain(h.fake.token);
  });

  it('sends only bodies that match Discord’s published schema', () => {
    expect(h.fake.schemaViolations()).toEqual([]);
  });
});
