import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { roundComponents, roundContent, roundFileName } from '../src/bot/quiz-messages.js';
import { RoundImages } from '../src/bot/quiz-round-image.js';
import type { ConfusingPair } from '../src/dataset/model.js';
import { createLogger } from '../src/logger.js';
import { type QuizWorld, startQuizWorld } from '../test/bot/harness.js';
import { buttonId, storedAnswers, waitForRoundMessage } from '../test/bot/quiz-support.js';

/**
 * The Discord quiz under load, against the fake Discord on loopback with the real discord.js client and a
 * real SQLite store (every answer durable before it is confirmed):
 *
 * 1. 1000 participants press an answer button within one round, dispatched through the fake gateway as
 *    fast as possible. Reports the time from dispatch to the interaction callback reaching the fake REST
 *    (Discord's 3-second acknowledgement deadline) and to the private confirmation, checks that every
 *    click was acknowledged and every answer stored.
 * 2. The time to prepare a round: the side-by-side composite (cold, then from the cache) and the message.
 *
 * The fake, the bot and SQLite share this one process, so the figures include the fake's own work (it
 * checks every request body against Discord's OpenAPI schema).
 */

const PARTICIPANTS = 1000;
const DEADLINE_MS = 3000;
const PREPARE_PAIRS = 12;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`.padStart(8);
}

async function clickStorm(world: QuizWorld): Promise<void> {
  const { fake } = world;
  const host = fake.addUser({ username: 'host', globalName: 'Host' });
  const people = Array.from({ length: PARTICIPANTS }, (_, i) =>
    fake.addUser({ username: `p${i}`, globalName: `Participant ${i}` }),
  );
  const start = fake.dispatchSlashCommand(host, {
    name: 'quiz',
    subcommand: 'start',
    options: { rounds: 1, seconds: 600 },
  });
  await fake.waitForReply(start.id);
  const message = await waitForRoundMessage(fake, 1);
  const ids = [buttonId(message, 'Image 1 → A'), buttonId(message, 'Image 1 → B')];

  const dispatchedAt = new Map<string, number>();
  const ackAt = new Map<string, number>();
  const callbackType = new Map<string, number>();
  const stop = fake.rest.onChange(() => {
    const request = fake.requests.at(-1);
    if (request?.route !== '/interactions/{interaction_id}/{interaction_token}/callback') return;
    const id = request.params.interaction_id ?? '';
    if (dispatchedAt.has(id) && !ackAt.has(id) && request.status < 300) {
      ackAt.set(id, performance.now());
      callbackType.set(id, (request.body as { type?: number } | null)?.type ?? 0);
    }
  });

  const began = performance.now();
  const sent = people.map((person, i) => {
    const t = performance.now();
    const interaction = fake.dispatchButton(person, ids[i % 2] as string, message);
    dispatchedAt.set(interaction.id, t);
    return interaction;
  });
  const dispatchMs = performance.now() - began;
  const confirmedAt = new Map<string, number>();
  await Promise.all(
    sent.map(async (interaction) => {
      const reply = await fake.waitForReply(interaction.id);
      confirmedAt.set(interaction.id, performance.now());
      if (!reply.content.startsWith('Got it')) throw new Error(`unexpected confirmation: ${reply.content}`);
    }),
  );
  const totalMs = performance.now() - began;
  stop();

  const acks = sent
    .map((s) => (ackAt.get(s.id) ?? Number.NaN) - (dispatchedAt.get(s.id) ?? 0))
    .sort((a, b) => a - b);
  const confirmations = sent
    .map((s) => (confirmedAt.get(s.id) ?? Number.NaN) - (dispatchedAt.get(s.id) ?? 0))
    .sort((a, b) => a - b);
  const deferred = [...callbackType.values()].filter((type) => type === 5).length;
  const late = acks.filter((a) => !(a < DEADLINE_MS)).length;
  const stored = (await storedAnswers(world)).length;

  console.log(
    `  ${PARTICIPANTS} clicks dispatched in ${dispatchMs.toFixed(0)} ms; all confirmed after ${totalMs.toFixed(0)} ms`,
  );
  console.log(`  acknowledged: ${ackAt.size}/${PARTICIPANTS} · stored answers: ${stored}/${PARTICIPANTS}`);
  console.log(
    `  dispatch → acknowledgement (callback at the fake REST): p50 ${ms(quantile(acks, 0.5))}  p99 ${ms(quantile(acks, 0.99))}  max ${ms(acks.at(-1) ?? Number.NaN)}   Discord's deadline ${DEADLINE_MS} ms, ${late} late`,
  );
  console.log(
    `  dispatch → private confirmation visible:             p50 ${ms(quantile(confirmations, 0.5))}  p99 ${ms(quantile(confirmations, 0.99))}  max ${ms(confirmations.at(-1) ?? Number.NaN)}`,
  );
  console.log(
    `  answered in the first response: ${PARTICIPANTS - deferred}, deferred then edited (store slower than the fast-reply budget): ${deferred}`,
  );
  if (ackAt.size !== PARTICIPANTS || stored !== PARTICIPANTS) {
    throw new Error('some clicks were not acknowledged or not stored');
  }
}

/** Realistic figure sizes (the test placeholders are 64 px), written as `<local>.jpg` for a few pairs. */
async function figureFolder(pairs: readonly ConfusingPair[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-figures-'));
  for (const [i, pair] of pairs.entries()) {
    for (const slot of [0, 1] as const) {
      const width = 900 + ((i * 137 + slot * 311) % 700);
      const height = 700 + ((i * 91 + slot * 173) % 500);
      const bytes = await sharp({
        create: {
          width,
          height,
          channels: 3,
          background: '#000',
          noise: { type: 'gaussian', mean: 110, sigma: 45 },
        },
      })
        .jpeg({ quality: 88 })
        .toBuffer();
      await writeFile(path.join(dir, `${pair.images[slot].localId}.jpg`), bytes);
    }
  }
  return dir;
}

async function roundPreparation(world: QuizWorld): Promise<void> {
  const pairs = world.pairSet.pairs.slice(0, PREPARE_PAIRS);
  const dir = await figureFolder(pairs);
  try {
    const images = new RoundImages({ imagesDir: dir, log: createLogger({ level: 'silent' }) });
    const prepare = async (pair: ConfusingPair) => {
      const composite = await images.composite(pair);
      const face = {
        sessionId: '00000000-0000-4000-8000-000000000000',
        round: 1,
        number: 1,
        totalRounds: 5,
        pair,
        deadline: Date.now() + 60_000,
      };
      return {
        composite,
        content: roundContent(face, 'open', 0),
        components: roundComponents(face, 'open'),
        name: roundFileName(1),
      };
    };
    const time = async (label: string) => {
      const each: number[] = [];
      let bytes = 0;
      for (const pair of pairs) {
        const t = performance.now();
        const round = await prepare(pair);
        each.push(performance.now() - t);
        bytes += round.composite.bytes.length;
      }
      each.sort((a, b) => a - b);
      const mean = each.reduce((s, v) => s + v, 0) / each.length;
      console.log(
        `  ${label.padEnd(8)} mean ${ms(mean)}  max ${ms(each.at(-1) ?? 0)}  (composite ${(bytes / pairs.length / 1024).toFixed(0)} KiB on average)`,
      );
    };
    console.log(
      `  preparing a round (composite + message) over ${pairs.length} pairs of ~0.9–1.6 Mpx figures:`,
    );
    await time('cold');
    await time('cached');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const STRATEGIES = [
  {
    label: 'confirm in the first response (deferring only after 1.2 s, the default)',
    tuning: {},
  },
  { label: 'defer every click, then edit in the confirmation', tuning: { fastReplyMs: 0 } },
] as const;

export async function run(): Promise<void> {
  console.log(`discord quiz (${PARTICIPANTS} participants, fake Discord + SQLite on loopback)`);
  for (const strategy of STRATEGIES) {
    const world = await startQuizWorld();
    try {
      await world.startBot({ tuning: { revealPauseMs: null, ...strategy.tuning } });
      console.log(` ${strategy.label}:`);
      await clickStorm(world);
      if (strategy === STRATEGIES[0]) await roundPreparation(world);
    } finally {
      await world.close();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
