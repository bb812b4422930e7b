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
import * as clickBurst from './click-burst.js';

/**
 * The Discord quiz under load:
 *
 * 1. A thousand clicks in one round, cold and warm, the project's bot beside a minimal discord.js bot,
 *    each in its own process against the fake Discord (bench/click-burst.ts).
 * 2. The time to prepare a round: the side-by-side composite (cold, then from the cache) and the message.
 */

const PREPARE_PAIRS = 12;

function ms(value: number): string {
  return `${value.toFixed(0)} ms`.padStart(8);
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

export async function run(): Promise<void> {
  await clickBurst.run();
  console.log('discord round preparation (fake Discord on loopback)');
  const world = await startQuizWorld();
  try {
    await roundPreparation(world);
  } finally {
    await world.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
