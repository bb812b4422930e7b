import { type Command, InvalidArgumentError } from 'commander';
import { type AppOptions, type RunningApp, startApp } from '../app/compose.js';
import { parseShardCount, type ShardCount } from '../config.js';
import { joinReach } from '../web/reachability.js';
import type { CliContext } from './context.js';

/** `start`'s options, as commander parses them; the composition root (src/app/compose.ts) acts on them. */
export type StartOptions = AppOptions;

const portNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free one).');
  }
  return n;
};

const shardCountOption = (value: string): ShardCount => {
  const count = parseShardCount(value);
  if (count === null) throw new InvalidArgumentError('expected "auto" or a number of shards from 1.');
  return count;
};

/**
 * Listens for Ctrl+C and termination requests from the start, so that one arriving during start-up (a
 * dataset download, the store, Discord) stops it cleanly rather than killing the process with its store
 * open and its leases held. `signal` aborts on the first; `stopped` resolves with its name. A second one
 * finds no handler and ends the process at once, as usual.
 */
function stopRequests(): { signal: AbortSignal; stopped: Promise<string> } {
  const controller = new AbortController();
  const stopped = new Promise<string>((resolve) => {
    const stop = (signal: string) => {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
      controller.abort(signal);
      resolve(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
  return { signal: controller.signal, stopped };
}

export function registerStart(parent: Command, ctx: CliContext): void {
  parent
    .command('start')
    .description('serve the web quiz (and the Discord bot when DISCORD_TOKEN is set) on the embedded store')
    .option('--port <n>', 'port to listen on (default: WEB_PORT, 3000)', portNumber)
    .option(
      '--host <address>',
      'address to listen on; 0.0.0.0 lets phones on the network join (default: WEB_HOST, 127.0.0.1)',
    )
    .option('--set <file>', 'quiz on a custom pair set (YAML or JSON) instead of MediConfusion')
    .option('--demo', 'quiz on the bundled demo set (synthetic drawings) even if MediConfusion is installed')
    .option('--no-fetch', 'do not try to download MediConfusion when it is missing (use the demo set)')
    .option('--models <file>', 'models file (default: MODELS_FILE)')
    .option(
      '--shards <count>',
      'run the Discord bot as shard processes: "auto" (Discord\'s recommendation) or a number; needs a Redis or PostgreSQL STORE_URL (default: DISCORD_SHARDS, none)',
      shardCountOption,
    )
    .addHelpText(
      'after',
      `
Examples:
  npm start                                   # http://127.0.0.1:3000, MediConfusion (downloaded on first start)
  npm start -- --host 0.0.0.0 --port 8080     # reachable from phones on the same network
  npm start -- --set data/examples/custom-set.example.yaml

The host link (with its secret key) and the participants' join link are printed once the server is up.`,
    )
    .action(async (options: StartOptions) => {
      const stop = stopRequests();
      let running: RunningApp;
      try {
        running = await startApp(ctx, options, { signal: stop.signal });
      } catch (err) {
        // StartStopped, or a step that failed because the stop cut it short: either way, a stop.
        if (!stop.signal.aborted) throw err;
        ctx.log().info({ signal: await stop.stopped }, 'stopped during start-up');
        return;
      }
      const { urls } = running;
      const reach = joinReach(running.web.publicUrl);
      ctx.out.write(
        [
          '',
          'MediConfusion quiz is running.',
          `  Host view (keep this link to yourself): ${urls.host}`,
          `  Join link for participants:             ${urls.join}   (room code ${urls.code})`,
          `  Statistics:                             ${urls.stats}`,
          `  Questions: ${running.banner === null ? running.set.name : `DEMO SET - ${running.banner}`}`,
          ...(running.setNote === null ? [] : [`  Partial set: ${running.setNote}`]),
          ...(reach.advice === null ? [] : [`  Warning: ${reach.advice}`]),
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
      const signal = await stop.stopped;
      ctx.log().info({ signal }, 'stopping');
      await running.close();
    });
}
