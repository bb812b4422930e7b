import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCORD_ENV_VARIABLES, loadConfig, loadDiscordConfig } from '../../src/config.js';
import { UserFacingError } from '../../src/errors.js';
import { ROOT } from '../support/paths.js';

const complete = {
  DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.secret.value',
  DISCORD_CLIENT_ID: '123456789012345678',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadDiscordConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return (err as UserFacingError).message;
  }
  throw new Error('loadDiscordConfig accepted the environment');
}

describe('Discord configuration', () => {
  it('is not needed by the rest of the project', () => {
    expect(() => loadConfig({})).not.toThrow();
  });

  it('defaults to global commands, no host role, the real Discord API and no shard processes', () => {
    expect(loadDiscordConfig(complete)).toEqual({
      token: complete.DISCORD_TOKEN,
      clientId: complete.DISCORD_CLIENT_ID,
      guildId: null,
      hostRole: null,
      apiBase: 'https://discord.com/api',
      shards: null,
    });
  });

  it('reads DISCORD_SHARDS as "auto" or a number of shards, and names a bad value', () => {
    expect(loadDiscordConfig({ ...complete, DISCORD_SHARDS: 'auto' }).shards).toBe('auto');
    expect(loadDiscordConfig({ ...complete, DISCORD_SHARDS: '4' }).shards).toBe(4);
    expect(refusal({ ...complete, DISCORD_SHARDS: '0' })).toMatch(
      /DISCORD_SHARDS: must be "auto" or a number/,
    );
  });

  it('names both missing credentials at once', () => {
    const message = refusal({});
    expect(message).toMatch(/DISCORD_TOKEN: is required/);
    expect(message).toMatch(/DISCORD_CLIENT_ID: is required/);
  });

  it('treats an empty token as missing', () => {
    expect(refusal({ ...complete, DISCORD_TOKEN: '' })).toMatch(/DISCORD_TOKEN: is required/);
  });

  it('refuses an id that is not a snowflake, without echoing the token', () => {
    const message = refusal({ ...complete, DISCORD_GUILD_ID: 'my server' });
    expect(message).toMatch(/DISCORD_GUILD_ID: must be a Discord id .*\(got "my server"\)/);
    expect(message).not.toContain(complete.DISCORD_TOKEN);
  });

  it('takes the API base from DISCORD_API_BASE, without a trailing slash', () => {
    const config = loadDiscordConfig({ ...complete, DISCORD_API_BASE: 'http://127.0.0.1:9999/api/' });
    expect(config.apiBase).toBe('http://127.0.0.1:9999/api');
  });

  it('documents every variable it reads in .env.example', () => {
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    expect(DISCORD_ENV_VARIABLES.length).toBeGreaterThan(0);
    for (const name of DISCORD_ENV_VARIABLES) {
      expect(example, `.env.example lacks ${name}`).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
    }
  });
});
