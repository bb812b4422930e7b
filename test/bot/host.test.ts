import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/bot/command.js';
import { isQuizHost } from '../../src/bot/host.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { type BotHarness, startBot } from './harness.js';

/** Answers whether the member who ran it may host a quiz. */
const amIHost: Command = {
  data: new SlashCommandBuilder().setName('am-i-host').setDescription('Tells whether you may host'),
  async execute(interaction, deps) {
    await interaction.reply({ content: isQuizHost(interaction, deps.hostRole) ? 'host' : 'not host' });
  },
};

/** Like am-i-host, with the host role taken from the test instead of DISCORD_HOST_ROLE. */
let roleUnderTest = '';
const hostByRole: Command = {
  data: new SlashCommandBuilder().setName('host-by-role').setDescription('Tells whether you hold the role'),
  async execute(interaction) {
    await interaction.reply({ content: isQuizHost(interaction, roleUnderTest) ? 'host' : 'not host' });
  },
};

async function answerFor(h: BotHarness, user: FakeUser, command = 'am-i-host'): Promise<string> {
  const sent = h.fake.dispatchSlashCommand(user, { name: command });
  return (await h.fake.waitForReply(sent.id)).content;
}

describe('quiz hosts with DISCORD_HOST_ROLE set', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBot({ extraCommands: [amIHost], env: { DISCORD_HOST_ROLE: 'Quiz Host' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('include members with the role, named by its name', async () => {
    expect(await answerFor(h, h.fake.addUser({ username: 'tutor', roles: ['Quiz Host'] }))).toBe('host');
  });

  it('include members who can manage the server, even without the role', async () => {
    const admin = h.fake.addUser({ username: 'admin', permissions: PermissionFlagsBits.ManageGuild });
    expect(await answerFor(h, admin)).toBe('host');
  });

  it('exclude other members, whatever other roles they have', async () => {
    expect(await answerFor(h, h.fake.addUser({ username: 'student', roles: ['Students'] }))).toBe('not host');
  });
});

describe('quiz hosts without DISCORD_HOST_ROLE', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBot({ extraCommands: [amIHost, hostByRole] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('are the members who can manage the server', async () => {
    const admin = h.fake.addUser({ username: 'admin', permissions: PermissionFlagsBits.ManageGuild });
    expect(await answerFor(h, admin)).toBe('host');
    expect(await answerFor(h, h.fake.addUser({ username: 'tutor', roles: ['Quiz Host'] }))).toBe('not host');
  });

  it('can be named by role id as well as by name', async () => {
    const tutor = h.fake.addUser({ username: 'tutor2', roles: ['Tutors'] });
    roleUnderTest = h.fake.world.roleByName('Tutors').id;
    expect(await answerFor(h, tutor, 'host-by-role')).toBe('host');
    roleUnderTest = 'Tutors';
    expect(await answerFor(h, tutor, 'host-by-role')).toBe('host');
    roleUnderTest = 'Radiologists';
    expect(await answerFor(h, tutor, 'host-by-role')).toBe('not host');
  });
});
