import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { z } from 'zod';
import type { Command } from '../bot/command.js';
import { COMMANDS } from '../commands/index.js';
import { type DiscordConfig, loadConfig, loadDiscordConfig } from '../config.js';
import { loadDotEnv } from '../env-file.js';
import { isUserFacingError, UserFacingError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';

/**
 * Registers the bot's slash commands with Discord: in one guild when DISCORD_GUILD_ID is set (changes
 * show at once, for development) or globally (every server the bot is in). The whole list is sent in
 * one PUT, so commands removed from src/commands/index.ts disappear as well.
 * Run with `npm run deploy-commands` (`-- --global` to ignore DISCORD_GUILD_ID).
 */

export interface DeployResult {
  scope: 'guild' | 'global';
  guildId: string | null;
  names: string[];
}

const registeredSchema = z.array(z.object({ id: z.string(), name: z.string() }));

/**
 * The status once, with Discord's words: its message for a bad token is "401: Unauthorized", which was
 * printed after the status as "401 401: Unauthorized".
 */
function describeRefusal(err: DiscordAPIError): string {
  const words = err.message.replace(new RegExp(`^\\s*${err.status}\\s*:?\\s*`), '').trim();
  return words === '' ? `HTTP ${err.status}` : `HTTP ${err.status} ${words}`;
}

export async function deployCommands(options: {
  config: DiscordConfig;
  commands?: readonly Command[];
  log: Logger;
  /** Register globally even when the config names a guild. */
  global?: boolean;
}): Promise<DeployResult> {
  const { config, log } = options;
  const commands = options.commands ?? COMMANDS;
  const guildId = options.global ? null : config.guildId;
  const rest = new REST({ api: config.apiBase }).setToken(config.token);
  const route = guildId
    ? Routes.applicationGuildCommands(config.clientId, guildId)
    : Routes.applicationCommands(config.clientId);
  let answer: unknown;
  try {
    answer = await rest.put(route, { body: commands.map((command) => command.data.toJSON()) });
  } catch (err) {
    if (err instanceof DiscordAPIError && (err.status === 401 || err.status === 403)) {
      throw new UserFacingError(
        'DISCORD_DEPLOY_REFUSED',
        `Discord refused to register the commands (${describeRefusal(err)}): check DISCORD_TOKEN and ` +
          `DISCORD_CLIENT_ID${guildId ? ', and that the bot has joined the server DISCORD_GUILD_ID names' : ''}.`,
        { cause: err },
      );
    }
    throw err;
  }
  const registered = registeredSchema.parse(answer);
  const result: DeployResult = {
    scope: guildId ? 'guild' : 'global',
    guildId,
    names: registered.map((command) => command.name),
  };
  log.info(result, 'slash commands registered');
  return result;
}

/** The `npm run deploy-commands` entry point; returns the exit code. */
export async function runDeployCommands(
  argv: string[],
  env: Record<string, string | undefined>,
  err: NodeJS.WritableStream,
  out: NodeJS.WritableStream,
): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, options: { global: { type: 'boolean', default: false } } });
    const log = createLogger({ level: loadConfig(env).logLevel, destination: err });
    const result = await deployCommands({ config: loadDiscordConfig(env), log, global: values.global });
    const where = result.scope === 'guild' ? `in guild ${result.guildId}` : 'globally';
    out.write(
      `Registered ${result.names.length} command(s) ${where}: ${result.names.map((n) => `/${n}`).join(', ')}\n`,
    );
    if (result.scope === 'global')
      out.write('Global commands can take up to an hour to appear in every server.\n');
    return 0;
  } catch (error) {
    if (isUserFacingError(error)) {
      err.write(`${error.message}\n`);
      return 1;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      err.write(`${error.message}\nUsage: npm run deploy-commands [-- --global]\n`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  loadDotEnv();
  process.exitCode = await runDeployCommands(
    process.argv.slice(2),
    process.env,
    process.stderr,
    process.stdout,
  );
}
