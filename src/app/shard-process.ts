import type { Client } from 'discord.js';
import { type RunningBot, runBot } from '../bot/run.js';
import { createCliContext } from '../cli/context.js';
import { COMMANDS } from '../commands/index.js';
import { loadDiscordConfig, loadLiveProbeConfig } from '../config.js';
import { isUserFacingError } from '../errors.js';
import { LiveProbe } from '../live/live-probe.js';
import { QuizEngine } from '../quiz/engine.js';
import type { QuizMemory } from '../quiz/quiz-archive.js';
import { openStore } from '../store/index.js';
import { openBaseline } from './baseline.js';
import { createQuizModels } from './model-answers.js';
import { chooseQuizSet } from './quiz-set.js';
import { FORGET_HOOK, shardOfGuild, shardRunSchema } from './shard-plan.js';

/**
 * One shard process of `start --shards` (started by discord-shards.ts through discord.js's
 * ShardingManager, which sets SHARDS and SHARD_COUNT): the whole Discord bot for the guilds whose events
 * reach this shard, over the shared store. Its engine recovers and takes over only those guilds' sessions;
 * statistics, leaderboards and exports read the store, so every shard gives the same numbers; forget-me
 * reaches every shard's memory through the manager (`broadcastEval`).
 */

type ForgetHook = (
  userId: string,
  replacementHost: string,
) => Promise<{ openRounds: number; sessionsRehosted: number }>;

async function main(): Promise<void> {
  const run = shardRunSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
  const shardId = Number(process.env.SHARDS);
  const shardCount = Number(process.env.SHARD_COUNT);
  if (!Number.isInteger(shardId) || !Number.isInteger(shardCount) || shardCount < 1) {
    throw new Error(
      'shard-process: run it through `mediconfusion start --shards`, which sets SHARDS and SHARD_COUNT',
    );
  }
  const ctx = createCliContext({ cwd: run.cwd });
  const config = ctx.config();
  const log = ctx.log().child({ shard: shardId });
  const discordConfig = loadDiscordConfig(ctx.env);
  // The manager stops a shard with SIGTERM: leases are released so its successor takes over at once. A
  // manager that died (its IPC channel closed) leaves the shard orphaned: it stops too, rather than keep
  // its guilds' sessions from the shards a restarted manager starts. The handlers are in place from the
  // first moment (without them SIGTERM kills at once, leases held); a stop asked for during start-up is
  // carried out once start-up has finished.
  let started = false;
  let stopAsked: string | null = null;
  let stopping = false;
  const exitAfterStop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shard process stopping');
    void stop()
      .catch((err: unknown) => log.error({ err }, 'shard did not stop cleanly'))
      .finally(() => process.exit(0));
  };
  const onStop = (why: string) => {
    if (started) exitAfterStop(why);
    else stopAsked ??= why;
  };
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('disconnect', () => onStop('the shard manager went away'));
  const store = await openStore(config.storeUrl, { cwd: run.cwd, log });
  let running: RunningBot | null = null;
  let engine: QuizEngine | null = null;
  const stop = async () => {
    await running?.stop();
    await engine?.shutdown();
    await store.close();
  };
  try {
    const choice = await chooseQuizSet({
      dataDir: config.dataDir,
      setFile: run.setFile,
      demo: run.demo,
      // The manager has downloaded (or not) already: a shard never does.
      fetch: null,
      log,
      say: (line) => log.debug(line),
    });
    const models = await createQuizModels({
      modelsFile: run.modelsFile,
      env: ctx.env,
      store,
      set: choice.set,
      dataDir: config.dataDir,
      runsDir: config.runsDir,
      log,
    });
    const quizEngine = new QuizEngine({
      store,
      set: choice.set,
      models: models.source,
      log: log.child({ component: 'quiz-engine' }),
      ownership: { ttlMs: config.quizLeaseMs },
      // A guild's events reach one shard only, so only that shard can run its quizzes.
      scope: (room) => room.guildId !== null && shardOfGuild(room.guildId, shardCount) === shardId,
    });
    engine = quizEngine;
    const cluster = clusterMemory(quizEngine);
    const { service: baseline, secret } = await openBaseline({
      store,
      set: choice.set,
      config,
      log,
      quiz: cluster.memory,
    });
    const recovery = await quizEngine.recover();
    const liveProbe =
      models.asker === null
        ? undefined
        : new LiveProbe({ asker: models.asker, store, limits: loadLiveProbeConfig(ctx.env) });
    running = await runBot({
      discordConfig,
      log,
      store,
      set: choice.set,
      models: models.source,
      shared: { engine: quizEngine, recovery },
      commands: COMMANDS,
      baseline: { service: baseline, secret },
      ...(liveProbe ? { liveProbe } : {}),
    });
    cluster.attach(running.bot.client);
    log.info({ shards: shardCount, owner: quizEngine.leaseOwner }, 'discord shard running');
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  started = true;
  if (stopAsked !== null) exitAfterStop(stopAsked);
}

/**
 * Forget-me for the quiz memory of every shard: the request goes to every shard process through the
 * manager (`broadcastEval`, which runs the hook each shard's client offers) and the counts are added up.
 */
function clusterMemory(engine: QuizEngine): { memory: QuizMemory; attach(client: Client): void } {
  let client: Client | null = null;
  return {
    attach(attached) {
      client = attached;
      const hook: ForgetHook = (userId, replacementHost) => engine.forgetUser(userId, replacementHost);
      (attached as unknown as Record<string, ForgetHook>)[FORGET_HOOK] = hook;
    },
    memory: {
      async forgetUser(userId, replacementHost) {
        const shard = client?.shard;
        if (shard === null || shard === undefined) return engine.forgetUser(userId, replacementHost);
        const results = await shard.broadcastEval(
          // Runs in each shard process; it can reach nothing but its client and the context.
          (c, context) =>
            (c as unknown as Record<string, ForgetHook>)[context.hook]?.(
              context.userId,
              context.replacementHost,
            ) ?? null,
          { context: { hook: FORGET_HOOK, userId, replacementHost } },
        );
        return results.reduce(
          (sum: { openRounds: number; sessionsRehosted: number }, r) => ({
            openRounds: sum.openRounds + (r?.openRounds ?? 0),
            sessionsRehosted: sum.sessionsRehosted + (r?.sessionsRehosted ?? 0),
          }),
          { openRounds: 0, sessionsRehosted: 0 },
        );
      },
    },
  };
}

main().catch((err: unknown) => {
  // Before the logger exists, or for a configuration mistake: one readable line, then exit for the manager.
  const line = isUserFacingError(err)
    ? err.message
    : err instanceof Error
      ? (err.stack ?? err.message)
      : String(err);
  process.stderr.write(`shard ${process.env.SHARDS ?? '?'}: ${line}\n`);
  process.exit(1);
});
