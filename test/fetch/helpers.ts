import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { expect } from 'vitest';
import { createCliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import { type Manifest, manifestSchema } from '../../src/fetch/manifest.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import type { PmcWorld } from './pmc-world.js';

export const DATASET_FILES = ['dataset.json', 'image_dict.json', 'statistics.json', 'answering-prompts.json'];

export async function tempDataDir(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'mediconfusion-fetch-')), 'data');
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `mediconfusion data fetch …` in-process, as a user would, capturing both streams. */
export async function runFetchCli(
  args: string[],
  env: Record<string, string>,
  cwd = tmpdir(),
): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => {
    outText += chunk.toString();
  });
  err.on('data', (chunk: Buffer) => {
    errText += chunk.toString();
  });
  const code = await runCli(['data', 'fetch', ...args], createCliContext({ env, cwd, out, err }));
  return { code, out: outText, err: errText };
}

export async function readManifestFile(dataDir: string): Promise<Manifest> {
  return manifestSchema.parse(JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')));
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * What `data check` would want of a finished fetch: the four official files as published, exactly
 * the 228 images (each the source's bytes and decodable), a manifest entry matching every file,
 * and no scratch files left behind.
 */
export async function expectCompleteDataDir(dataDir: string, world: PmcWorld): Promise<void> {
  for (const name of DATASET_FILES) {
    const shared = name === 'answering-prompts.json' ? 'answering-prompts.json' : name;
    expect(await readFile(path.join(dataDir, name)), name).toEqual(
      await readFile(path.join(SHARED_DATASET_DIR, shared)),
    );
  }
  const onDisk = (await readdir(path.join(dataDir, 'images'))).sort();
  expect(onDisk).toEqual(world.images.map((image) => `${image.localId}.jpg`).sort());
  for (const image of world.images) {
    const data = await readFile(path.join(dataDir, 'images', `${image.localId}.jpg`));
    expect(data.equals(world.jpeg(image.localId)), `images/${image.localId}.jpg has the source's bytes`).toBe(
      true,
    );
    await expect(sharp(data, { failOn: 'truncated' }).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
  }
  const manifest = await readManifestFile(dataDir);
  const expectedKeys = [
    ...DATASET_FILES,
    ...world.images.map((image) => `images/${image.localId}.jpg`),
  ].sort();
  expect(Object.keys(manifest.files).sort()).toEqual(expectedKeys);
  for (const [key, entry] of Object.entries(manifest.files)) {
    const data = await readFile(path.join(dataDir, key));
    expect(entry.sha256, key).toBe(sha256(data));
    expect(entry.bytes, key).toBe(data.length);
  }
  expect((await readdir(dataDir)).filter((name) => name.startsWith('.fetch-tmp-'))).toEqual([]);
}
