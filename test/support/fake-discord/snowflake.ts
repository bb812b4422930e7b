/** Discord's epoch (2015-01-01T00:00:00Z), from which snowflake timestamps count. */
const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

function build(sinceEpoch: bigint): string {
  increment = (increment + 1n) & 0xfffn;
  const worker = 1n << 17n;
  return ((sinceEpoch << 22n) | worker | increment).toString();
}

/**
 * A new, unique snowflake: milliseconds since Discord's epoch in the high bits, a worker id and a
 * per-process counter in the low 22 bits, as Discord builds them (discord.js reads the timestamp back).
 */
export function nextSnowflake(now: number = Date.now()): string {
  return build(BigInt(now) - DISCORD_EPOCH);
}

/**
 * The shard whose sessions receive a guild's events: `(guild_id >> 22) % num_shards`, Discord's
 * sharding formula. The shifted value is the snowflake's timestamp, so a guild's shard is set by the
 * millisecond it was created in.
 */
export function shardOfSnowflake(id: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new Error(`A shard count must be a positive integer, not ${shardCount}`);
  }
  return Number((BigInt(id) >> 22n) % BigInt(shardCount));
}

/**
 * A new, unique snowflake that the sharding formula puts on `shardId` of `shardCount`: its timestamp
 * is moved back by less than `shardCount` milliseconds to the nearest one with that remainder, so the
 * id still reads as created "now" and never lies in the future.
 */
export function snowflakeOnShard(shardId: number, shardCount: number, now: number = Date.now()): string {
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new Error(`A shard count must be a positive integer, not ${shardCount}`);
  }
  if (!Number.isInteger(shardId) || shardId < 0 || shardId >= shardCount) {
    throw new Error(`Shard ${shardId} does not exist among ${shardCount} (0 <= shard < count)`);
  }
  const count = BigInt(shardCount);
  const sinceEpoch = BigInt(now) - DISCORD_EPOCH;
  const offset = (((sinceEpoch - BigInt(shardId)) % count) + count) % count;
  return build(sinceEpoch - offset);
}

/** The creation time encoded in a snowflake. */
export function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH));
}
