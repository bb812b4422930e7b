import { once } from 'node:events';
import {
  Client,
  DiscordAPIError,
  DiscordjsErrorCodes,
  Events,
  GatewayIntentBits,
  HTTPError,
} from 'discord.js';
import type { DiscordConfig } from '../config.js';
import { UserFacingError } from '../errors.js';
import type { BotDeps, Command } from './command.js';
import { createInteractionRouter } from './interaction-router.js';
import { loggableError } from './loggable-error.js';
import { createRestAgent, warmRestAgent } from './rest-agent.js';
import { logRestRetries } from './rest-retries.js';

/**
 * The Discord bot: a discord.js Client that only listens for interactions. It asks for the Guilds
 * intent alone (no message content, members or presences: nothing privileged to approve) and talks to
 * the REST base from DISCORD_API_BASE, whose /gateway/bot answer also decides the gateway it joins.
 */

export interface Bot {
  readonly client: Client;
  /** Logs in and resolves once the bot is connected and has received its guilds. */
  start(): Promise<void>;
  /** Disconnects; safe to call more than once. */
  stop(): Promise<void>;
}

export const BOT_INTENTS = [GatewayIntentBits.Guilds] as const;

function isInvalidToken(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return code === DiscordjsErrorCodes.TokenInvalid || (err instanceof DiscordAPIError && err.status === 401);
}

/**
 * What went wrong when Discord could not be reached at all (no answer, or a server error after the retries),
 * in a few words; null for anything else (a refused token is reported on its own).
 */
function describeUnreachable(err: unknown): string | null {
  if (err instanceof HTTPError) return `it answered ${err.status} ${err.message}`.trim();
  if (!(err instanceof Error)) return null;
  if (err.name === 'AbortError') return 'no answer in time';
  const cause = err.cause;
  const code =
    'code' in err && typeof err.code === 'string'
      ? err.code
      : typeof cause === 'object' && cause !== null && 'code' in cause
        ? String(cause.code)
        : undefined;
  if (err instanceof TypeError && err.message === 'fetch failed') return code ?? 'the connection failed';
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return code;
  return null;
}

export function createBot(
  config: DiscordConfig,
  /**
   * `commands`: the slash commands (COMMANDS from src/commands/index.ts), passed in by the composition so
   * that bot/ never imports commands/ (which imports bot/).
   */
  options: Omit<BotDeps, 'hostRole'> & { commands: readonly Command[] },
): Bot {
  const { commands, ...deps } = options;
  const log = deps.log.child({ component: 'discord' });
  const agent = createRestAgent();
  const client = new Client({
    intents: [...BOT_INTENTS],
    // The process id in the user agent tells apart, in a proxy's or Discord's logs, the requests of two
    // processes of one bot (two shards, or the two sides of a rolling restart).
    rest: { api: config.apiBase, agent, userAgentAppendix: `Node.js ${process.version} pid/${process.pid}` },
    // Whatever the bot writes, it never pings anyone unless a message asks for it explicitly.
    allowedMentions: { parse: [] },
  });
  const route = createInteractionRouter(commands, { ...deps, log, hostRole: config.hostRole });

  client.on(Events.InteractionCreate, (interaction) => {
    void route(interaction);
  });
  client.on(Events.Error, (err) => log.error({ err: loggableError(err) }, 'discord client error'));
  client.on(Events.Warn, (message) => log.warn({ message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) =>
    log.warn({ shardId, code: event.code }, 'gateway connection closed for good'),
  );
  client.on(Events.ShardReconnecting, (shardId) => log.info({ shardId }, 'gateway reconnecting'));
  client.on(Events.ShardResume, (shardId, replayed) =>
    log.info({ shardId, replayed }, 'gateway session resumed'),
  );
  // A 429 from Discord is logged (with its retry) by logRestRetries; this one also sees the waits that
  // discord.js imposes on itself before a bucket runs out, which are routine.
  client.rest.on('rateLimited', (info) =>
    log.debug(
      { route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global },
      'rate limited',
    ),
  );
  logRestRetries(client.rest, log, client.rest.options.retries);

  let agentClosing: Promise<void> | undefined;
  const closeAgent = () => {
    agentClosing ??= agent.close();
    return agentClosing;
  };
  let stopped = false;
  return {
    client,
    async start() {
      const aborter = new AbortController();
      const ready = once(client, Events.ClientReady, { signal: aborter.signal });
      try {
        // Connections opened before login, so that the bot is ready for a burst when it says ready.
        await warmRestAgent(agent, config.apiBase);
        await client.login(config.token);
        await ready;
      } catch (err) {
        aborter.abort();
        await ready.catch(() => undefined);
        await client.destroy();
        await closeAgent();
        const unreachable = describeUnreachable(err);
        if (unreachable !== null) {
          throw new UserFacingError(
            'DISCORD_UNREACHABLE',
            `Cannot connect to Discord at ${config.apiBase} (DISCORD_API_BASE): ${unreachable}. Check the network ` +
              'connection, or unset DISCORD_API_BASE to use https://discord.com/api; unset DISCORD_TOKEN to run the web quiz alone.',
            { cause: err },
          );
        }
        if (isInvalidToken(err)) {
          throw new UserFacingError(
            'DISCORD_TOKEN_INVALID',
            'Discord rejected DISCORD_TOKEN: check the bot token.',
            {
              cause: err,
            },
          );
        }
        throw err;
      }
      log.info(
        { user: client.user?.tag, applicationId: client.application?.id, guilds: client.guilds.cache.size },
        'discord bot ready',
      );
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await client.destroy();
      await closeAgent();
      log.info('discord bot stopped');
    },
  };
}
