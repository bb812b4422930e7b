import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WriteStats } from '../src/store/types.js';
import { discordEnv, type QuizWorld, startQuizWorld } from '../test/bot/harness.js';
import { buttonId, storedAnswers, waitForRoundMessage } from '../test/bot/quiz-support.js';
import type { FakeDiscord, FakeMessage } from '../test/support/fake-discord/index.js';

/**
 * A thousand clicks in one round, acknowledged in time, cold and warm: the project's bot against a minimal
 * discord.js bot that only acknowledges (bench/bots/minimal-bot.ts), each in a process of its own against
 * the fake Discord in this process, alternating in one run so both see the same machine load.
 *
 * A sitting starts a fresh bot process and, as soon as it says ready, sends 500 people × 2 images in one
 * burst (cold), then another 500 new people × 2 images on the same round (warm). For each click it times
 * dispatch → the interaction callback reaching the fake REST (what Discord's 3-second deadline is about).
 * For the project's bot it also counts the store's commits (each one disk sync) during the burst, and
 * checks that every answer was stored.
 */

const PEOPLE = 500;
const CLICKS = PEOPLE * 2;
const DEADLINE_MS = 3000;
const REPEATS = Number(process.env.BENCH_BURST_REPEATS ?? 2);
const CALLBACK_ROUTE = '/interactions/{interaction_id}/{interaction_token}/callback';

type BotKind = 'project' | 'minimal';

interface Burst {
  acks: number[];
  withinDeadline: number;
  deferred: number;
  syncs: number | null;
}

interface Sitting {
  kind: BotKind;
  cold: Burst;
  warm: Burst;
  stored: number | null;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

const ms = (value: number): string => `${value.toFixed(0)}`.padStart(5);

class BotProcess {
  private constructor(
    readonly child: ChildProcess,
    private readonly messages: Array<(message: unknown) => boolean>,
  ) {}

  static async start(kind: BotKind, world: QuizWorld): Promise<BotProcess> {
    const script = path.join(import.meta.dirname, 'bots', `${kind}-bot.ts`);
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        PATH: process.env.PATH ?? '',
        ...discordEnv(world.fake),
        BENCH_STORE_URL: world.storeUrl,
        BENCH_DATA_DIR: world.dataDir,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const waiting: Array<(message: unknown) => boolean> = [];
    child.on('message', (message) => {
      const index = waiting.findIndex((accept) => accept(message));
      if (index >= 0) waiting.splice(index, 1);
    });
    const bot = new BotProcess(child, waiting);
    await bot.next((m): m is { ready: true } => typeof m === 'object' && m !== null && 'ready' in m);
    return bot;
  }

  private next<T>(is: (message: unknown) => message is T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const exited = () => reject(new Error('the bot process exited'));
      this.child.once('exit', exited);
      this.messages.push((message) => {
        if (!is(message)) return false;
        this.child.off('exit', exited);
        resolve(message);
        return true;
      });
    });
  }

  async stats(): Promise<WriteStats | null> {
    const reply = this.next(
      (m): m is { stats: WriteStats | null } => typeof m === 'object' && m !== null && 'stats' in m,
    );
    this.child.send('stats');
    return (await reply).stats;
  }

  async kill(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Dispatches every click at once and resolves when each has its callback (and, if asked, its reply). */
async function burst(
  fake: FakeDiscord,
  bot: BotProcess,
  label: string,
  buttons: readonly [string, string],
  message: FakeMessage | undefined,
  waitForReplies: boolean,
): Promise<Burst> {
  const people = Array.from({ length: PEOPLE }, (_, i) =>
    fake.addUser({ username: `${label}${i}`, globalName: `${label} ${i}` }),
  );
  const before = await bot.stats();
  const dispatchedAt = new Map<string, number>();
  const ackAt = new Map<string, number>();
  let deferred = 0;
  let allAcked: () => void = () => undefined;
  const acked = new Promise<void>((resolve) => {
    allAcked = resolve;
  });
  const stop = fake.rest.onChange(() => {
    const request = fake.requests.at(-1);
    if (request?.route !== CALLBACK_ROUTE || request.status >= 300) return;
    const id = request.params.interaction_id ?? '';
    const sentAt = dispatchedAt.get(id);
    if (sentAt === undefined || ackAt.has(id)) return;
    ackAt.set(id, performance.now() - sentAt);
    if ((request.body as { type?: number } | null)?.type === 5) deferred++;
    if (ackAt.size === CLICKS) allAcked();
  });
  const sent: string[] = [];
  for (const person of people) {
    for (const customId of buttons) {
      const t = performance.now();
      const interaction = fake.dispatchButton(person, customId, message);
      dispatchedAt.set(interaction.id, t);
      sent.push(interaction.id);
    }
  }
  const timeout = setTimeout(allAcked, 120_000);
  await acked;
  clearTimeout(timeout);
  stop();
  if (waitForReplies) await Promise.all(sent.map((id) => fake.waitForReply(id).catch(() => undefined)));
  const after = await bot.stats();
  const acks = sent.map((id) => ackAt.get(id) ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  return {
    acks,
    withinDeadline: acks.filter((a) => a < DEADLINE_MS).length,
    deferred,
    syncs: before && after ? after.commits - before.commits : null,
  };
}

async function sitting(kind: BotKind, index: number): Promise<Sitting> {
  const world = await startQuizWorld();
  let bot: BotProcess | undefined;
  try {
    const { fake } = world;
    let message: FakeMessage | undefined;
    let buttons: [string, string] = ['bench:ack:0', 'bench:ack:1'];
    bot = await BotProcess.start(kind, world);
    if (kind === 'project') {
      // A running bot is needed to start the round, so "cold" is the first burst of clicks it sees.
      const host = fake.addUser({ username: 'host', globalName: 'Host' });
      const start = fake.dispatchSlashCommand(host, {
        name: 'quiz',
        subcommand: 'start',
        options: { rounds: 1, seconds: 600 },
      });
      await fake.waitForReply(start.id);
      message = await waitForRoundMessage(fake, 1);
      buttons = [buttonId(message, 'Image 1 → A'), buttonId(message, 'Image 2 → B')];
    }
    const cold = await burst(fake, bot, `c${index}p`, buttons, message, kind === 'project');
    const warm = await burst(fake, bot, `w${index}p`, buttons, message, kind === 'project');
    await bot.kill();
    bot = undefined;
    const stored = kind === 'project' ? (await storedAnswers(world)).length : null;
    return { kind, cold, warm, stored };
  } finally {
    await bot?.kill();
    await world.close();
  }
}

function line(kind: BotKind, which: 'cold' | 'warm', b: Burst, other?: Burst): string {
  const p50 = quantile(b.acks, 0.5);
  const p99 = quantile(b.acks, 0.99);
  const otherP99 = other ? quantile(other.acks, 0.99) : Number.NaN;
  const ratio =
    other === undefined
      ? ''
      : Number.isFinite(otherP99)
        ? ` · p99 ${(p99 / otherP99).toFixed(2)}× minimal`
        : ' · (the minimal bot never acknowledged some clicks: no ratio)';
  const syncs = b.syncs === null ? '' : ` · ${b.syncs} store syncs`;
  const deferred = b.deferred > 0 ? ` · ${b.deferred} deferred` : '';
  const missing = b.acks.filter((a) => !Number.isFinite(a)).length;
  const never = missing > 0 ? ` · ${missing} never acknowledged` : '';
  return `   ${kind.padEnd(7)} ${which}: p50 ${ms(p50)} ms  p99 ${ms(p99)} ms  max ${ms(b.acks.at(-1) ?? Number.NaN)} ms · within 3 s ${b.withinDeadline}/${CLICKS}${never}${syncs}${deferred}${ratio}`;
}

export async function run(): Promise<void> {
  console.log(
    `click burst: ${PEOPLE} people × 2 images in one round, each bot in its own process against the fake Discord (SQLite store); ${REPEATS} alternations`,
  );
  console.log('  dispatch → interaction callback at the fake REST (Discord gives 3 s)');
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    // Alternate which bot goes first, so neither always meets a machine still busy with the other.
    const order: BotKind[] = repeat % 2 === 1 ? ['minimal', 'project'] : ['project', 'minimal'];
    const results = new Map<BotKind, Sitting>();
    for (const kind of order) results.set(kind, await sitting(kind, repeat));
    const minimal = results.get('minimal');
    const project = results.get('project');
    if (!minimal || !project) continue;
    console.log(`  sitting ${repeat} (${order.join(' then ')}):`);
    console.log(line('minimal', 'cold', minimal.cold));
    console.log(line('project', 'cold', project.cold, minimal.cold));
    console.log(line('minimal', 'warm', minimal.warm));
    console.log(line('project', 'warm', project.warm, minimal.warm));
    console.log(`   project answers stored: ${project.stored}/${CLICKS * 2}`);
  }
  console.log(
    '  targets: 1000/1000 within 3 s cold and warm, every answer stored, p99 within 1.3× the minimal bot, syncs far below 1000',
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
