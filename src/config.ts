import path from 'node:path';
import { z } from 'zod';
import { dotEnvSource } from './env-file.js';
import { UserFacingError } from './errors.js';
import { DEFAULT_IMAGE_SOURCES, type ImageSourceName, parseImageSources } from './fetch/source-order.js';

/**
 * Every environment variable the project reads, with its default. `.env.example` and the README's
 * configuration table document the same list; `test/config.test.ts` keeps them in step.
 * Precedence everywhere: an explicit option (CLI flag, constructor argument), then this, then the default.
 */
const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MEDICONFUSION_DATA_DIR: z.string().min(1).default('data/mediconfusion'),
  MEDICONFUSION_DATASET_URL: z
    .url()
    .default('https://huggingface.co/datasets/shahab7899/MediConfusion/resolve/main'),
  MEDICONFUSION_PROMPTS_URL: z
    .url()
    .default('https://raw.githubusercontent.com/AIF4S/MediConfusion/main/configs/prompts/answering.json'),
  // statistics.json is not in the Hugging Face dataset, only in the GitHub repository.
  MEDICONFUSION_STATISTICS_URL: z
    .url()
    .default('https://raw.githubusercontent.com/AIF4S/MediConfusion/main/data/stats/statistics.json'),
  PMC_CLOUD_URL: z.url().default('https://pmc-oa-opendata.s3.amazonaws.com'),
  // NLM removed these packages in August 2026: useful only pointed at a mirror (and with pmc-legacy in IMAGE_SOURCES).
  PMC_LEGACY_URL: z.url().default('https://ftp.ncbi.nlm.nih.gov/pub/pmc/deprecated/oa_package'),
  // A ROCO copy on Hugging Face, read through the dataset viewer API: independent of NLM's services.
  ROCO_MIRROR_URL: z.url().default('https://datasets-server.huggingface.co'),
  ROCO_MIRROR_DATASET: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'must be a Hugging Face dataset id, owner/name')
    .default('eltorio/ROCO-radiology'),
  // Network image sources in the order to try them (pmc-cloud, roco-mirror, pmc-legacy).
  IMAGE_SOURCES: z.string().optional(),
  FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  STORE_URL: z.string().min(1).default('sqlite://data/store.sqlite'),
  MODELS_FILE: z.string().min(1).default('models.yaml'),
  RUNS_DIR: z.string().min(1).default('data/runs'),
  // Any length here, so that a bad value is never echoed in the error; src/baseline checks its length.
  BASELINE_SECRET: z.string().optional(),
  WEB_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  // The address phones use to reach the web quiz (join links, QR codes) when it differs from host:port.
  PUBLIC_URL: z.url().optional(),
  // Admission to the web quiz (src/web/admission.ts): participants per room, joins and new rooms per address,
  // and how long a room made from the home page lives with nobody hosting it.
  WEB_MAX_PARTICIPANTS: z.coerce.number().int().min(1).max(100_000).default(2000),
  WEB_JOINS_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  WEB_ROOMS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  WEB_ROOM_IDLE_MINUTES: z.coerce.number().int().min(1).default(120),
  // Reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For gives the client address.
  WEB_TRUSTED_PROXIES: z
    .string()
    .regex(
      /^[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*$/,
      'must be IP addresses or CIDR ranges, comma-separated',
    )
    .optional(),
  // How long a process's lease on a quiz session lasts unrenewed: how soon another process (a respawned
  // shard, the next process of a rolling update) takes over the sessions of one that died.
  QUIZ_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).default(15),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  logLevel: Env['LOG_LEVEL'];
  /** Folder holding dataset.json, image_dict.json, statistics.json, answering-prompts.json and images/. */
  dataDir: string;
  sources: {
    datasetUrl: string;
    promptsUrl: string;
    statisticsUrl: string;
    pmcCloudUrl: string;
    pmcLegacyUrl: string;
    rocoMirrorUrl: string;
    rocoMirrorDataset: string;
  };
  /** Network image sources in the order `data fetch` tries them. */
  imageSources: ImageSourceName[];
  fetchConcurrency: number;
  storeUrl: string;
  modelsFile: string;
  runsDir: string;
  /** Key of the human baseline's pseudonymous participant ids (BASELINE_SECRET); null when not set. */
  baselineSecret: string | null;
  /** How long a quiz session's lease lasts unrenewed (QUIZ_LEASE_SECONDS), in ms. */
  quizLeaseMs: number;
  web: {
    port: number;
    host: string;
    /** Base of the links and QR codes given to participants; null: derived from host and port. */
    publicUrl: string | null;
    /** Reverse proxies whose X-Forwarded-For is believed (WEB_TRUSTED_PROXIES). */
    trustedProxies: string[];
    admission: {
      maxParticipantsPerRoom: number;
      joinsPerMinute: number;
      roomsPerHour: number;
      idleRoomMs: number;
    };
  };
}

/**
 * Formats a zod failure as one line per variable: `NAME: what is wrong (got "value", from .env line 3)`,
 * after a heading that says where the values came from (the environment, the .env file, or both).
 */
function describeEnvIssues(what: string, error: z.ZodError, env: Record<string, string | undefined>): string {
  let fromFile = 0;
  const lines = error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const raw = env[name];
    const source = dotEnvSource(name, raw);
    if (source !== null) fromFile++;
    const got = raw === undefined ? '' : ` (got ${JSON.stringify(raw)}${source ? `, from ${source}` : ''})`;
    return `  ${name}: ${issue.message}${got}`;
  });
  const where =
    fromFile === 0
      ? 'in the environment'
      : fromFile === lines.length
        ? 'in .env'
        : 'in the environment and .env';
  return `Invalid ${what} ${where}:\n${lines.join('\n')}`;
}

/**
 * Reads and validates the environment once, at start-up. Empty strings count as unset so that a
 * blank line copied from .env.example falls back to the default instead of failing.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new UserFacingError('CONFIG_INVALID', describeEnvIssues('configuration', parsed.error, cleaned));
  }
  const e = parsed.data;
  return {
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(cwd, e.MEDICONFUSION_DATA_DIR),
    sources: {
      datasetUrl: e.MEDICONFUSION_DATASET_URL,
      promptsUrl: e.MEDICONFUSION_PROMPTS_URL,
      statisticsUrl: e.MEDICONFUSION_STATISTICS_URL,
      pmcCloudUrl: e.PMC_CLOUD_URL,
      pmcLegacyUrl: e.PMC_LEGACY_URL,
      rocoMirrorUrl: e.ROCO_MIRROR_URL,
      rocoMirrorDataset: e.ROCO_MIRROR_DATASET,
    },
    imageSources:
      e.IMAGE_SOURCES === undefined
        ? [...DEFAULT_IMAGE_SOURCES]
        : parseImageSources(e.IMAGE_SOURCES, 'IMAGE_SOURCES'),
    fetchConcurrency: e.FETCH_CONCURRENCY,
    storeUrl: e.STORE_URL,
    modelsFile: path.resolve(cwd, e.MODELS_FILE),
    runsDir: path.resolve(cwd, e.RUNS_DIR),
    baselineSecret: e.BASELINE_SECRET ?? null,
    quizLeaseMs: e.QUIZ_LEASE_SECONDS * 1000,
    web: {
      port: e.WEB_PORT,
      host: e.WEB_HOST,
      publicUrl: e.PUBLIC_URL?.replace(/\/+$/, '') ?? null,
      trustedProxies: (e.WEB_TRUSTED_PROXIES ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
      admission: {
        maxParticipantsPerRoom: e.WEB_MAX_PARTICIPANTS,
        joinsPerMinute: e.WEB_JOINS_PER_MINUTE,
        roomsPerHour: e.WEB_ROOMS_PER_HOUR,
        idleRoomMs: e.WEB_ROOM_IDLE_MINUTES * 60_000,
      },
    },
  };
}

/** The variable names this module reads, for documentation checks. */
export const ENV_VARIABLES = Object.keys(envSchema.shape);

/**
 * The Discord bot's variables, read only when the bot (or `npm run deploy-commands`) starts, so that
 * the CLI and the web quiz work without them. Kept out of ENV_VARIABLES until the README documents them.
 */
const snowflakePattern = /^\d{17,20}$/;
const snowflakeMessage = 'must be a Discord id (17 to 20 digits)';
const snowflake = z.string().regex(snowflakePattern, snowflakeMessage);
/** A string whose absence is explained with where to find the value. */
const required = (where: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `is required: ${where}` : undefined) });
const discordEnvSchema = z.object({
  DISCORD_TOKEN: required('the bot token (Developer Portal → your application → Bot → Reset Token)'),
  DISCORD_CLIENT_ID: required(
    'the application id (Developer Portal → your application → General Information)',
  ).regex(snowflakePattern, snowflakeMessage),
  DISCORD_GUILD_ID: snowflake.optional(),
  DISCORD_HOST_ROLE: z.string().min(1).optional(),
  DISCORD_API_BASE: z.url().default('https://discord.com/api'),
  DISCORD_SHARDS: z
    .string()
    .regex(/^(auto|[1-9]\d{0,4})$/, 'must be "auto" or a number of shards from 1')
    .optional(),
});

export interface DiscordConfig {
  token: string;
  /** The application (client) id; the bot user has the same id. */
  clientId: string;
  /** Commands are registered in this guild only (instant, for development) when set, globally otherwise. */
  guildId: string | null;
  /** Name or id of the role allowed to host quizzes; null: members with Manage Server. */
  hostRole: string | null;
  /** REST base without version (`https://discord.com/api`); tests point it at a fake Discord. */
  apiBase: string;
  /** Run the bot as this many shard processes (`auto`: Discord's recommendation); null: in this process. */
  shards: ShardCount | null;
}

export type ShardCount = number | 'auto';

/** `auto` or a whole number of shards from 1, as `--shards` and DISCORD_SHARDS take it. */
export function parseShardCount(value: string): ShardCount | null {
  if (value === 'auto') return 'auto';
  return /^[1-9]\d{0,4}$/.test(value) ? Number(value) : null;
}

export function loadDiscordConfig(env: Record<string, string | undefined> = process.env): DiscordConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = discordEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    // The token's value must not reach an error message, which may be logged or shown.
    const { DISCORD_TOKEN: _token, ...shown } = cleaned;
    throw new UserFacingError(
      'CONFIG_INVALID',
      describeEnvIssues('Discord configuration', parsed.error, shown),
    );
  }
  const e = parsed.data;
  return {
    token: e.DISCORD_TOKEN,
    clientId: e.DISCORD_CLIENT_ID,
    guildId: e.DISCORD_GUILD_ID ?? null,
    hostRole: e.DISCORD_HOST_ROLE ?? null,
    apiBase: e.DISCORD_API_BASE.replace(/\/+$/, ''),
    shards: e.DISCORD_SHARDS === undefined ? null : parseShardCount(e.DISCORD_SHARDS),
  };
}

/** The Discord variable names, documented with the bot's set-up. */
export const DISCORD_ENV_VARIABLES = Object.keys(discordEnvSchema.shape);

/**
 * Limits of the bot's `/probe` live demo, read when the bot starts. The budget is per server and per UTC
 * day, kept in the store so a restart does not reset it.
 */
const liveProbeEnvSchema = z.object({
  LIVE_PROBE_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  LIVE_PROBE_DAILY_REQUESTS: z.coerce.number().int().min(0).default(200),
  LIVE_PROBE_DAILY_COST_USD: z.coerce.number().min(0).default(1),
});

export interface LiveProbeConfig {
  /** Seconds a member waits between two `/probe` commands. */
  cooldownSeconds: number;
  /** Model requests per server per UTC day (each `/probe` sends two; retries count); 0 turns `/probe` off. */
  dailyRequests: number;
  /** US dollars per server per UTC day, from the models file's prices. */
  dailyCostUsd: number;
}

export function loadLiveProbeConfig(env: Record<string, string | undefined> = process.env): LiveProbeConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = liveProbeEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new UserFacingError(
      'CONFIG_INVALID',
      describeEnvIssues('live-probe configuration', parsed.error, cleaned),
    );
  }
  const e = parsed.data;
  return {
    cooldownSeconds: e.LIVE_PROBE_COOLDOWN_SECONDS,
    dailyRequests: e.LIVE_PROBE_DAILY_REQUESTS,
    dailyCostUsd: e.LIVE_PROBE_DAILY_COST_USD,
  };
}

/** The live-probe variable names, documented with the bot's `/probe` command. */
export const LIVE_PROBE_ENV_VARIABLES = Object.keys(liveProbeEnvSchema.shape);
