import { ChannelType, GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/client.js';
import { loadDiscordConfig } from '../../src/config.js';
import { UserFacingError } from '../../src/errors.js';
import { startFakeDiscord } from '../support/fake-discord/index.js';
import { type BotHarness, captureLogs, discordEnv, startBot } from './harness.js';

describe('the bot connecting to Discord', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBot();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('identifies asking for the Guilds intent only', () => {
    expect(h.fake.identifies).toHaveLength(1);
    expect(h.fake.identifies[0]?.intents).toBe(GatewayIntentBits.Guilds);
  });

  it('finds the gateway through GET /gateway/bot on the configured REST base', () => {
    const gatewayRequest = h.fake.requests.find((r) => r.route === '/gateway/bot');
    expect(gatewayRequest?.authorized).toBe(true);
  });

  it('knows its guild, channel and application once ready (READY then GUILD_CREATE)', () => {
    const client = h.bot.client;
    expect(client.isReady()).toBe(true);
    expect(client.user?.id).toBe(h.fake.applicationId);
    expect(client.application?.id).toBe(h.fake.applicationId);
    const guild = client.guilds.cache.get(h.fake.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(h.fake.channelId)?.type).toBe(ChannelType.GuildText);
  });

  it('resumes after a dropped connection and receives the interaction sent meanwhile', async () => {
    const student = h.fake.addUser({ username: 'resumer' });
    h.fake.gateway.disconnect();
    const sent = h.fake.dispatchSlashCommand(student, { name: 'pair', options: { id: '10005' } });
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.content).toContain('Pair 10005');
    expect(h.fake.gateway.resumes).toHaveLength(1);
    expect(h.fake.identifies).toHaveLength(1);
  });

  it('never writes the token to its logs', () => {
    expect(h.logs.lines.length).toBeGreaterThan(0);
    expect(h.logs.lines.join('\n')).not.toContain(h.fake.token);
  });
});

describe('the bot with a wrong token', () => {
  it('fails to start with a UserFacingError naming DISCORD_TOKEN, without echoing it', async () => {
    const fake = await startFakeDiscord();
    const logs = captureLogs();
    const wrong = 'not-the-fake-token.at-all';
    const config = loadDiscordConfig({ ...discordEnv(fake), DISCORD_TOKEN: wrong });
    const bot = createBot(config, {
      commands: [],
      log: logs.log,
      pairSet: { name: 'empty', pairs: [], categories: [], categoryCounts: {}, imagesDir: '/nonexistent' },
    });
    try {
      const failure = await bot.start().then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(UserFacingError);
      expect((failure as UserFacingError).message).toContain('DISCORD_TOKEN');
      expect((failure as UserFacingError).message).not.toContain(wrong);
      expect(fake.identifies).toHaveLength(0);
    } finally {
      await bot.stop();
      await fake.close();
    }
  });
});
