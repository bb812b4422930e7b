import { z } from 'zod';

/**
 * Facts about Discord sharding that both sides of a sharded deployment need: which shard a guild's events
 * reach (Discord's documented formula, `shard_id = (guild_id >> 22) % num_shards`), and what the shard
 * manager tells each shard process about the run.
 */

export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** What `start --shards` passes to each shard process (as its one argument, JSON). */
export const shardRunSchema = z.object({
  /** The folder relative paths are resolved against (the manager's). */
  cwd: z.string().min(1),
  /** A custom set file, already checked by the manager; absent: MediConfusion or the demo set. */
  setFile: z.string().min(1).optional(),
  demo: z.boolean(),
  modelsFile: z.string().min(1),
});

export type ShardRun = z.infer<typeof shardRunSchema>;

/** The name under which a shard process's client offers forget-me to `broadcastEval` (see shard-process.ts). */
export const FORGET_HOOK = 'mediconfusion.forgetQuizUser';
