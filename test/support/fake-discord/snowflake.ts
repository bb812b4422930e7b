/** Discord's epoch (2015-01-01T00:00:00Z), from which snowflake timestamps count. */
const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

/**
 * A new, unique snowflake: milliseconds since Discord's epoch in the high bits, a worker id and a
 * per-process counter in the low 22 bits, as Discord builds them (discord.js reads the timestamp back).
 */
export function nextSnowflake(now: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  const worker = 1n << 17n;
  return (((BigInt(now) - DISCORD_EPOCH) << 22n) | worker | increment).toString();
}

/** The creation time encoded in a snowflake. */
export function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH));
}
