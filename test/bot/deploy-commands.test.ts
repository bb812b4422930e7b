import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployCommands, runDeployCommands } from '../../src/app/deploy-commands.js';
import { COMMANDS } from '../../src/commands/index.js';
import { loadDiscordConfig } from '../../src/config.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { captureLogs, discordEnv } from './harness.js';

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return () => text;
}

describe('deploy-commands', () => {
  let fake: FakeDiscord;
  beforeEach(async () => {
    fake = await startFakeDiscord();
  });
  afterEach(async () => {
    await fake.close();
  });

  const commandRoutes = () =>
    fake.requests.filter((r) => r.method === 'PUT' && r.route?.includes('/commands'));

  it('registers every command of src/commands in the guild named by DISCORD_GUILD_ID', async () => {
    const result = await deployCommands({
      config: loadDiscordConfig(discordEnv(fake)),
      log: captureLogs().log,
    });
    expect(result).toEqual({
      scope: 'guild',
      guildId: fake.guildId,
      names: COMMANDS.map((c) => c.data.name),
    });
    const registered = fake.world.guildCommands.get(fake.guildId) ?? [];
    expect(registered.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.data.name));
    expect(fake.world.globalCommands).toEqual([]);
  });

  it('registers globally when no guild is configured', async () => {
    const { DISCORD_GUILD_ID: _guild, ...env } = discordEnv(fake);
    const result = await deployCommands({ config: loadDiscordConfig(env), log: captureLogs().log });
    expect(result.scope).toBe('global');
    expect(fake.world.globalCommands.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.data.name));
    expect(fake.world.guildCommands.get(fake.guildId) ?? []).toEqual([]);
  });

  it('sends command definitions that match Discord’s published schema', async () => {
    await deployCommands({ config: loadDiscordConfig(discordEnv(fake)), log: captureLogs().log });
    const [put] = commandRoutes();
    expect(put?.schemaErrors).toEqual([]);
    const pair = (
      put?.body as { name: string; options: { name: string; autocomplete?: boolean }[] }[] | undefined
    )?.[0];
    expect(pair?.options.map((o) => o.name)).toEqual(['id', 'private']);
    expect(pair?.options[0]?.autocomplete).toBe(true);
  });

  it('replaces the previous list, keeping the ids of commands that stay', async () => {
    const config = loadDiscordConfig(discordEnv(fake));
    await deployCommands({ config, log: captureLogs().log });
    const first = fake.world.guildCommands.get(fake.guildId)?.map((c) => c.id);
    await deployCommands({ config, log: captureLogs().log });
    expect(fake.world.guildCommands.get(fake.guildId)?.map((c) => c.id)).toEqual(first);
  });

  it('runs as `npm run deploy-commands`, with --global overriding DISCORD_GUILD_ID', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    const printed = collect(out);
    const code = await runDeployCommands(
      ['--global'],
      { ...discordEnv(fake), LOG_LEVEL: 'silent' },
      err,
      out,
    );
    expect(code).toBe(0);
    expect(printed()).toContain(
      `Registered ${COMMANDS.length} command(s) globally: ${COMMANDS.map((c) => `/${c.data.name}`).join(', ')}`,
    );
    expect(fake.world.globalCommands.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.data.name));
  });

  it('names the missing variable and exits 1 when DISCORD_CLIENT_ID is not set', async () => {
    const { DISCORD_CLIENT_ID: _id, ...env } = discordEnv(fake);
    const err = new PassThrough();
    const printed = collect(err);
    const code = await runDeployCommands([], env, err, new PassThrough());
    expect(code).toBe(1);
    expect(printed()).toMatch(/DISCORD_CLIENT_ID: is required/);
    expect(printed()).not.toContain(fake.token);
    expect(fake.requests).toHaveLength(0);
  });

  it('explains a refused token without printing it', async () => {
    const env = { ...discordEnv(fake), DISCORD_TOKEN: 'wrong.token.value' };
    const err = new PassThrough();
    const printed = collect(err);
    const code = await runDeployCommands([], { ...env, LOG_LEVEL: 'silent' }, err, new PassThrough());
    expect(code).toBe(1);
    expect(printed()).toContain('check DISCORD_TOKEN and DISCORD_CLIENT_ID');
    expect(printed()).not.toContain('wrong.token.value');
    // The status once: discord.js makes "401" the message of a bare 401.
    expect(printed().match(/401/g)).toHaveLength(1);
  });
});
