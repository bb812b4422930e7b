import path from 'node:path';
import type { BaselineService } from '../baseline/service.js';
import { runBot } from '../bot/run.js';
import { COMMANDS } from '../commands/index.js';
import {
  type Config,
  type DiscordConfig,
  loadDiscordConfig,
  loadLiveProbeConfig,
  type ShardCount,
} from '../config.js';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import { fetchData } from '../fetch/fetch-data.js';
import { createProgressReporter } from '../fetch/progress.js';
import { LiveProbe } from '../live/live-probe.js';
import type { Logger } from '../logger.js';
import type { PairAsker } from '../probe/ask-pair.js';
import { QuizEngine, type RecoveryReport } from '../quiz/engine.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { isWebRoomId } from '../web/rooms.js';
import { startWebServer, type WebServer } from '../web/server.js';
import { openBaseline } from './baseline.js';
import { startShardedBot } from './discord-shards.js';
import { createQuizModels } from './model-answers.js';
import { chooseQuizSet } from './quiz-set.js';
import type { ShardRun } from './shard-plan.js';

/**
 * The composition root of `start`: it chooses the set, opens the store, builds the model answers, the
 * quiz engine and the baseline, recovers running sessions, and starts the front ends (the web channel,
 * and the Discord bot when configured) over that one engine and store. Front ends never build any of
 * these themselves; src/cli/start.ts only parses options and calls `startApp`.
 */

/** What the composition root needs from its caller (the CLI's context satisfies it). */
export interface AppContext {
  config(): Config;
  log(): Logger;
  /** Where start-up progress lines go. */
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** What `start` lets the operator choose (see src/cli/start.ts for the options that set them). */
export interface AppOptions {
  port?: number;
  host?: string;
  /** A custom pair set file instead of MediConfusion. */
  set?: string;
  demo?: boolean;
  /** Try `data fetch` when the dataset is missing (default true). */
  fetch?: boolean;
  models?: string;
  /** Run the Discord bot as shard processes (`auto` or a number); DISCORD_SHARDS when not given. */
  shards?: ShardCount;
}

/** What the Discord side needs to run over the same engine and store as the web channel. */
export interface DiscordDeps {
  engine: QuizEngine;
  /** What `engine.recover()` did at start-up: the bot resumes its own channels from it. */
  recovery: RecoveryReport;
  /** The models file's asker, shared with `/probe` so each model keeps one request gate. */
  asker: PairAsker | null;
  /** The private human baseline, shared with the web page so one participant has one record. */
  baseline: { service: BaselineService; secret: string };
  store: Store;
  set: PairSet;
  /** The same model answers the web quiz uses (the probe's cache, live models, the random baseline). */
  models: ModelAnswerSource;
  log: Logger;
  env: Record<string, string | undefined>;
}

export interface DiscordHandle {
  stop(): Promise<void>;
}

/**
 * Runs the Discord bot over the web channel's engine and store when DISCORD_TOKEN is set: one engine, one
 * store, one set of tallies, so `/stats` and the web stats page agree. A half-configured bot (a token but
 * no DISCORD_CLIENT_ID) stops start-up naming the missing variable rather than running without it.
 */
export async function startDiscordIfConfigured(deps: DiscordDeps): Promise<DiscordHandle | null> {
  if (deps.env.DISCORD_TOKEN === undefined || deps.env.DISCORD_TOKEN === '') {
    deps.log.info('Discord is not configured (DISCORD_TOKEN is empty): running the web channel only');
    return null;
  }
  const discordConfig = loadDiscordConfig(deps.env);
  const liveProbe =
    deps.asker === null
      ? undefined
      : new LiveProbe({ asker: deps.asker, store: deps.store, limits: loadLiveProbeConfig(deps.env) });
  const running = await runBot({
    discordConfig,
    log: deps.log,
    store: deps.store,
    set: deps.set,
    models: deps.models,
    shared: { engine: deps.engine, recovery: deps.recovery },
    commands: COMMANDS,
    baseline: deps.baseline,
    ...(liveProbe ? { liveProbe } : {}),
  });
  deps.log.info('Discord bot connected');
  return { stop: () => running.stop() };
}

/** The shard count asked for (`--shards`, then DISCORD_SHARDS) when Discord is configured; null otherwise. */
function shardingOf(
  options: AppOptions,
  env: Record<string, string | undefined>,
): { discord: DiscordConfig; count: ShardCount } | null {
  if (env.DISCORD_TOKEN === undefined || env.DISCORD_TOKEN === '') {
    if (options.shards !== undefined) {
      throw new UserFacingError(
        'CONFIG_MISSING',
        '--shards runs the Discord bot as shard processes, but DISCORD_TOKEN is not set.',
      );
    }
    return null;
  }
  const discord = loadDiscordConfig(env);
  const count = options.shards ?? discord.shards;
  return count === null ? null : { discord, count };
}

/** `start --shards`: the bot as shard processes under discord.js's ShardingManager (discord-shards.ts). */
async function startShards(
  sharding: { discord: DiscordConfig; count: ShardCount },
  run: ShardRun,
  log: Logger,
): Promise<DiscordHandle> {
  const bot = await startShardedBot({ discord: sharding.discord, count: sharding.count, run, log });
  log.info({ shards: bot.totalShards }, 'Discord bot connected as shard processes');
  return { stop: () => bot.stop() };
}

export interface RunningApp {
  web: WebServer;
  engine: QuizEngine;
  store: Store;
  set: PairSet;
  banner: string | null;
  /** How many pairs are playable and why, when some images are missing; null otherwise. */
  setNote: string | null;
  urls: { host: string; join: string; stats: string; code: string };
  close(): Promise<void>;
}

export interface StartHooks {
  /** Replaces the dataset download (tests). */
  fetchDataset?: (dataDir: string) => Promise<void>;
  /**
   * A stop asked for during start-up (Ctrl+C, SIGTERM): the dataset download stops at once, and start-up
   * ends with `StartStopped` after the step under way, closing what it had opened.
   */
  signal?: AbortSignal;
}

/** Start-up ended early because a stop was asked for (StartHooks.signal); nothing is left running. */
class StartStopped extends Error {
  constructor() {
    super('stopped during start-up');
    this.name = 'StartStopped';
  }
}

/** Starts everything `npm start` runs and returns once the web channel is listening. */
export async function startApp(
  ctx: AppContext,
  options: AppOptions,
  hooks: StartHooks = {},
): Promise<RunningApp> {
  const config = ctx.config();
  const log = ctx.log();
  const say = (line: string) => ctx.out.write(`${line}\n`);
  const dataDir = config.dataDir;
  const download =
    hooks.fetchDataset ??
    (async (dir: string) => {
      const reporter = createProgressReporter(ctx.err, (ctx.err as NodeJS.WriteStream).isTTY === true);
      try {
        await fetchData({
          dataDir: dir,
          sources: config.sources,
          imageSources: config.imageSources,
          concurrency: config.fetchConcurrency,
          observer: reporter,
          // Few retries: when offline, the demo set should come up in seconds, not minutes.
          http: { retry: { retries: 2 } },
          signal: hooks.signal,
        });
      } finally {
        reporter.stop();
      }
    });
  const choice = await chooseQuizSet({
    dataDir,
    setFile: options.set === undefined ? undefined : path.resolve(ctx.cwd, options.set),
    demo: options.demo ?? false,
    fetch: options.fetch === false ? null : () => download(dataDir),
    log,
    say,
  });

  const stopAsked = () => {
    if (hooks.signal?.aborted) throw new StartStopped();
  };
  stopAsked();
  const sharding = shardingOf(options, ctx.env);
  const store = await openStore(config.storeUrl, { cwd: ctx.cwd, log });
  if (sharding !== null && store.backend === 'sqlite') {
    await store.close();
    throw new UserFacingError(
      'SHARDS_NEED_SHARED_STORE',
      `Running the Discord bot as shard processes (${options.shards !== undefined ? '--shards' : 'DISCORD_SHARDS'}) needs a store every process can share, but STORE_URL is ${store.redactedUrl}: a SQLite file serves one process. Set STORE_URL to a redis:// or postgres:// URL (see the README, "Sharding"), or run without shards.`,
    );
  }
  let engine: QuizEngine | null = null;
  let web: WebServer | null = null;
  let discord: DiscordHandle | null = null;
  const close = async () => {
    await web?.close();
    await discord?.stop();
    // Leases are given up, so another process (a rolling update's next one) takes the sessions at once.
    await engine?.shutdown();
    await store.close();
  };
  try {
    const models = await createQuizModels({
      modelsFile: options.models === undefined ? config.modelsFile : path.resolve(ctx.cwd, options.models),
      env: ctx.env,
      store,
      set: choice.set,
      dataDir,
      runsDir: config.runsDir,
      log,
    });
    engine = new QuizEngine({
      store,
      set: choice.set,
      models: models.source,
      log,
      ownership: { ttlMs: config.quizLeaseMs },
      // With shard processes running the Discord side, this process's engine runs the web rooms only.
      ...(sharding !== null ? { scope: (room) => isWebRoomId(room.roomId) } : {}),
    });
    const { service: baselineService, secret: baselineSecret } = await openBaseline({
      store,
      set: choice.set,
      config,
      log,
      quiz: engine,
    });
    stopAsked();
    const recovered = await engine.recover();
    for (const { note } of [...recovered.revealed, ...recovered.ended]) log.info({ note }, 'quiz recovered');
    stopAsked();
    discord =
      sharding !== null
        ? await startShards(
            sharding,
            {
              cwd: ctx.cwd,
              ...(options.set !== undefined ? { setFile: path.resolve(ctx.cwd, options.set) } : {}),
              // The demo set stands in for MediConfusion (by choice, or because it could not be fetched).
              demo: options.set === undefined && (options.demo === true || choice.banner !== null),
              modelsFile:
                options.models === undefined ? config.modelsFile : path.resolve(ctx.cwd, options.models),
            },
            log,
          )
        : await startDiscordIfConfigured({
            engine,
            recovery: recovered,
            asker: models.asker,
            baseline: { service: baselineService, secret: baselineSecret },
            store,
            set: choice.set,
            models: models.source,
            log,
            env: ctx.env,
          });
    stopAsked();
    const host = options.host ?? config.web.host;
    const port = options.port ?? config.web.port;
    try {
      web = await startWebServer({
        engine,
        store,
        set: choice.set,
        log,
        models: models.offered,
        banner: choice.banner,
        setNote: choice.setNote,
        host,
        port,
        publicUrl: config.web.publicUrl,
        admission: config.web.admission,
        trustedProxies: config.web.trustedProxies,
        baseline: baselineService,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new UserFacingError(
          'WEB_LISTEN_FAILED',
          code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is already in use. Stop the program using it, or choose another port with --port (or WEB_PORT).`
            : `Cannot listen on ${host}:${port} (${code}). Choose another address with --host/--port (or WEB_HOST/WEB_PORT).`,
          { cause: err },
        );
      }
      throw err;
    }
    stopAsked();
    const { primary } = web;
    return {
      web,
      engine,
      store,
      set: choice.set,
      banner: choice.banner,
      setNote: choice.setNote,
      urls: {
        host: web.hostUrl(primary),
        join: web.joinUrl(primary.code),
        stats: `${web.publicUrl}/stats`,
        code: primary.code,
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
