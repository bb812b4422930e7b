import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REST, Routes, type Shard, ShardingManager } from 'discord.js';
import { z } from 'zod';
import type { DiscordConfig, ShardCount } from '../config.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ShardRun } from './shard-plan.js';

/**
 * `start --shards`: the Discord bot as one process per shard under discord.js's ShardingManager, which
 * starts each shard process, starts it again when it dies, and relays broadcasts between them. Every shard
 * process runs the whole bot for its guilds over the shared store (shard-process.ts).
 */

/** Discord lets a bot start `max_concurrency` sessions per 5 seconds; the manager spaces shards by this. */
const IDENTIFY_WINDOW_MS = 5_000;
/** How long a shard process may take to connect before the start is reported as failed. */
const SHARD_READY_TIMEOUT_MS = 90_000;
/** How long a shard process has to stop cleanly (release its leases) before it is killed. */
const SHARD_STOP_TIMEOUT_MS = 10_000;

const gatewayBotSchema = z.object({
  shards: z.number().int().positive(),
  session_start_limit: z.object({ max_concurrency: z.number().int().positive() }),
});

export interface GatewayAdvice {
  shards: number;
  maxConcurrency: number;
}

/**
 * Discord's recommended shard count and identify concurrency, from `GET /gateway/bot` on the configured
 * API base. (discord.js's own `totalShards: 'auto'` asks discord.com whatever the REST base is set to.)
 */
export async function fetchGatewayAdvice(discord: DiscordConfig): Promise<GatewayAdvice> {
  const rest = new REST({ api: discord.apiBase }).setToken(discord.token);
  let body: unknown;
  try {
    body = await rest.get(Routes.gatewayBot());
  } catch (err) {
    throw new UserFacingError(
      'DISCORD_UNREACHABLE',
      `Could not ask Discord how many shards to run (GET /gateway/bot at ${discord.apiBase}): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const parsed = gatewayBotSchema.parse(body);
  return { shards: parsed.shards, maxConcurrency: parsed.session_start_limit.max_concurrency };
}

export interface ShardedBot {
  readonly manager: ShardingManager;
  readonly totalShards: number;
  /** Stops every shard process (each releases its quiz leases first) and stops respawning them. */
  stop(): Promise<void>;
}

export interface StartShardsOptions {
  discord: DiscordConfig;
  count: ShardCount;
  run: ShardRun;
  log: Logger;
  /** The shard process's script; the one next to this module by default. */
  file?: string;
}

export async function startShardedBot(options: StartShardsOptions): Promise<ShardedBot> {
  const { discord, log } = options;
  const advice = await fetchGatewayAdvice(discord);
  const totalShards = options.count === 'auto' ? advice.shards : options.count;
  const manager = new ShardingManager(options.file ?? shardProcessFile(), {
    totalShards,
    token: discord.token,
    mode: 'process',
    respawn: true,
    // Under tsx this carries its loader, so the shard script (TypeScript in a checkout) runs too.
    execArgv: process.execArgv,
    shardArgs: [JSON.stringify(options.run)],
  });
  manager.on('shardCreate', (shard) => watchShard(shard, log));
  log.info({ totalShards, recommended: advice.shards }, 'starting the Discord bot as shard processes');
  try {
    await manager.spawn({
      amount: totalShards,
      delay: Math.ceil(IDENTIFY_WINDOW_MS / advice.maxConcurrency) + 500,
      timeout: SHARD_READY_TIMEOUT_MS,
    });
  } catch (err) {
    await stopShards(manager, log);
    throw new UserFacingError(
      'SHARD_START_FAILED',
      `A Discord shard process did not get ready (${err instanceof Error ? err.message : String(err)}); its log lines above say why.`,
      { cause: err },
    );
  }
  return { manager, totalShards, stop: () => stopShards(manager, log) };
}

function watchShard(shard: Shard, log: Logger): void {
  shard.on('spawn', (child: unknown) => {
    const pid = typeof child === 'object' && child !== null && 'pid' in child ? child.pid : undefined;
    log.info({ shard: shard.id, pid }, 'discord shard process started');
  });
  shard.on('ready', () => log.info({ shard: shard.id }, 'discord shard ready'));
  shard.on('death', (child: unknown) => {
    const exit =
      typeof child === 'object' && child !== null && 'exitCode' in child && 'signalCode' in child
        ? { exitCode: child.exitCode, signal: child.signalCode }
        : {};
    log.warn({ shard: shard.id, ...exit }, 'discord shard process stopped; the manager starts it again');
  });
  shard.on('error', (err) => log.error({ err, shard: shard.id }, 'discord shard error'));
}

async function stopShards(manager: ShardingManager, log: Logger): Promise<void> {
  await Promise.all(
    [...manager.shards.values()].map(async (shard) => {
      const child = shard.process;
      if (child === null || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      // Shard#kill stops the manager from respawning it and sends SIGTERM; the shard releases its leases.
      shard.kill();
      const timer = setTimeout(() => {
        log.warn({ shard: shard.id }, 'a shard process did not stop in time; killing it');
        child.kill('SIGKILL');
      }, SHARD_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** shard-process.ts in a checkout (run through tsx), shard-process.js once built. */
function shardProcessFile(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), `shard-process${path.extname(here)}`);
}
