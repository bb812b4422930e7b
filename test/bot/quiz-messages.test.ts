import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_ID_MAX_LENGTH, parseCustomId } from '../../src/bot/custom-id.js';
import { answerArgs, hostArgs } from '../../src/bot/quiz-ids.js';
import { type RoundFace, revealMessage, roundComponents, roundContent } from '../../src/bot/quiz-messages.js';
import { COMPOSITE_MAX_WIDTH, composeSideBySide, RoundImages } from '../../src/bot/quiz-round-image.js';
import type { ConfusingPair, Option, PairSet } from '../../src/dataset/model.js';
import { createLogger } from '../../src/logger.js';
import { computeReveal } from '../../src/quiz/reveal.js';
import { loadSet } from '../quiz/harness.js';

/** The round message and its picture, checked without a connection. */

const flip = (o: Option): Option => (o === 'A' ? 'B' : 'A');

function flipped(pair: ConfusingPair): ConfusingPair {
  return {
    ...pair,
    images: [
      { ...pair.images[0], correct: flip(pair.images[0].correct) },
      { ...pair.images[1], correct: flip(pair.images[1].correct) },
    ],
  };
}

let set: PairSet;
beforeAll(async () => {
  set = await loadSet();
});

function face(pair: ConfusingPair): RoundFace {
  return {
    sessionId: '5b0c5a52-9f0e-4c39-8a53-6f3e0d9b1c11',
    round: 3,
    number: 2,
    totalRounds: 5,
    pair,
    deadline: Date.UTC(2025, 0, 1, 12, 1),
  };
}

describe('the round message', () => {
  it('is the same whichever options are right, so it cannot give an answer away', () => {
    for (const pair of set.pairs) {
      const other = flipped(pair);
      for (const phase of ['open', 'revealed', 'skipped'] as const) {
        expect(roundContent(face(other), phase, 7)).toBe(roundContent(face(pair), phase, 7));
        expect(roundComponents(face(other), phase)).toEqual(roundComponents(face(pair), phase));
      }
    }
  });

  it('shows the question number and categories while open, and the pair id only once revealed', () => {
    const pair = set.pairs[0] as ConfusingPair;
    const open = roundContent(face(pair), 'open', 3);
    expect(open).toContain('**Question 2 of 5**');
    expect(open).toContain(pair.images[0].categories[0]);
    // The id would let anyone look the answers up in the public dataset.
    expect(open).not.toContain(pair.id);
    for (const phase of ['skipped', 'stopped', 'interrupted'] as const)
      expect(roundContent(face(pair), phase, 3)).not.toContain(pair.id);
    expect(roundContent(face(pair), 'revealed', 3)).toContain(`pair ${pair.id}`);
  });

  it('stays within Discord’s 2000 characters for every pair of the set', () => {
    for (const pair of set.pairs)
      expect(roundContent(face(pair), 'open', 12_345).length).toBeLessThanOrEqual(2000);
  });

  it('gives buttons custom ids within 100 characters that parse back to session, round, image and option', () => {
    const pair = set.pairs[0] as ConfusingPair;
    const buttons = roundComponents(face(pair), 'open').flatMap((row) => row.components);
    const ids = buttons.map((b) => ('custom_id' in b ? b.custom_id : ''));
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_MAX_LENGTH);
    const answers = ids.slice(0, 4).map((id) => answerArgs.parse(parseCustomId(id)?.args));
    expect(answers).toEqual([
      [face(pair).sessionId, 3, 0, 'A'],
      [face(pair).sessionId, 3, 0, 'B'],
      [face(pair).sessionId, 3, 1, 'A'],
      [face(pair).sessionId, 3, 1, 'B'],
    ]);
    expect(hostArgs.parse(parseCustomId(ids[5] ?? '')?.args)).toEqual([face(pair).sessionId, 3, 'reveal']);
  });

  it('shows a relative countdown to the deadline while open', () => {
    const content = roundContent(face(set.pairs[0] as ConfusingPair), 'open', 0);
    expect(content).toContain(`<t:${Date.UTC(2025, 0, 1, 12, 1) / 1000}:R>`);
  });
});

describe('the reveal message', () => {
  it('says why a model has no answer when it was still answering at the reveal', () => {
    const pair = set.pairs[0] as ConfusingPair;
    const reveal = computeReveal({
      sessionId: 's',
      roomId: 'r',
      round: 1,
      pair,
      people: [],
      models: [{ modelId: 'slow-model', status: 'pending', reason: 'still answering when time ran out' }],
      closedAt: 0,
      closedBy: 'timer',
    });
    const message = revealMessage(reveal, { number: 1, totalRounds: 1, last: true, controls: false });
    expect(message.embeds[0]?.description).toContain(
      '`slow-model`: ⚠️ no answer: still answering when time ran out',
    );
    expect(message.embeds[0]?.description).toContain('nobody answered');
    expect(message.components).toEqual([]);
  });
});

describe('the reveal message after a restart', () => {
  it('says the bot restarted before a model answered when the restart cut its request off', () => {
    const pair = set.pairs[0] as ConfusingPair;
    const reveal = computeReveal({
      sessionId: 's',
      roomId: 'r',
      round: 1,
      pair,
      people: [],
      models: [{ modelId: 'slow-model', status: 'pending', reason: 'RESTARTED' }],
      closedAt: 0,
      closedBy: 'recovery',
    });
    const message = revealMessage(reveal, { number: 1, totalRounds: 1, last: true, controls: false });
    expect(message.embeds[0]?.description).toContain(
      '`slow-model`: ⚠️ no answer: the bot restarted before this model answered',
    );
  });
});

describe('the reveal message with confidences', () => {
  it('shows how sure a model was next to its answer when its run recorded probabilities', () => {
    const pair = set.pairs[0] as ConfusingPair;
    const [first, second] = pair.images;
    const reveal = computeReveal({
      sessionId: 's',
      roomId: 'r',
      round: 1,
      pair,
      people: [],
      models: [
        {
          modelId: 'sure-model',
          status: 'answered',
          chosen: [first.correct, first.correct],
          raw: ['x', 'x'],
          confidence: [0.966, 0.91],
        },
      ],
      closedAt: 0,
      closedBy: 'timer',
    });
    const text = revealMessage(reveal, { number: 1, totalRounds: 1, last: true, controls: false }).embeds[0]
      ?.description;
    expect(text).toContain(`image 1 → ${first.correct}, 97% sure, right ✅`);
    expect(text).toContain(
      `image 2 → ${first.correct}, 91% sure, ${second.correct === first.correct ? 'right ✅' : 'wrong ❌'}`,
    );
  });
});

describe('the round picture', () => {
  const solid = (width: number, height: number, colour: string) =>
    sharp({ create: { width, height, channels: 3, background: colour } })
      .jpeg()
      .toBuffer();

  it('puts both images side by side at a common height, labelled 1 and 2 above them', async () => {
    const composite = await composeSideBySide(
      await solid(600, 400, '#808080'),
      await solid(300, 500, '#404080'),
    );
    const meta = await sharp(composite.bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([composite.width, composite.height]);
    // Panels of 500 px height: 750 + 300 wide, plus margins and the gap.
    expect(composite.width).toBe(16 + 750 + 24 + 300 + 16);
    const { data, info } = await sharp(composite.bytes).raw().toBuffer({ resolveWithObject: true });
    const brightest = (x0: number, x1: number) => {
      let max = 0;
      for (let y = 0; y < 60; y++) {
        for (let x = x0; x < x1; x++) max = Math.max(max, data[(y * info.width + x) * info.channels] ?? 0);
      }
      return max;
    };
    // A white digit above the middle of each panel, none above the gap between them.
    expect(brightest(16 + 375 - 20, 16 + 375 + 20)).toBeGreaterThan(200);
    expect(brightest(16 + 750 + 24 + 150 - 20, 16 + 750 + 24 + 150 + 20)).toBeGreaterThan(200);
    expect(brightest(16 + 750 + 2, 16 + 750 + 22)).toBeLessThan(80);
  });

  it('keeps very large figures within 2048 px and far below the upload limit', async () => {
    const big = await sharp({
      create: {
        width: 4000,
        height: 3000,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .jpeg({ quality: 95 })
      .toBuffer();
    const composite = await composeSideBySide(big, big);
    expect(composite.width).toBeLessThanOrEqual(COMPOSITE_MAX_WIDTH);
    expect(composite.bytes.length).toBeLessThan(8 * 1024 * 1024);
  });

  it('draws a crossed-out panel for an image that is missing or not an image', async () => {
    const composite = await composeSideBySide(await solid(400, 400, '#808080'), Buffer.from('not a jpeg'));
    expect(composite.missing).toEqual([1]);
    expect((await sharp(composite.bytes).metadata()).format).toBe('jpeg');
  });
});

describe('the composite cache', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'round-images-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reuses a composite while both files are unchanged, and rebuilds it when one changes', async () => {
    const pair = set.pairs[0] as ConfusingPair;
    const images = new RoundImages({ imagesDir: dir, log: createLogger({ level: 'silent' }) });
    const write = async (slot: 0 | 1, colour: string) =>
      writeFile(
        path.join(dir, `${pair.images[slot].localId}.jpg`),
        await sharp({ create: { width: 80, height: 80, channels: 3, background: colour } })
          .jpeg()
          .toBuffer(),
      );
    await write(0, '#202020');
    await write(1, '#a0a0a0');
    const first = await images.composite(pair);
    expect(await images.composite(pair)).toBe(first);
    await write(1, '#f0f0f0');
    const rebuilt = await images.composite(pair);
    expect(rebuilt).not.toBe(first);
    expect(rebuilt.bytes.equals(first.bytes)).toBe(false);
  });
});
