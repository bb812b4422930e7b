import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT } from '../support/paths.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';

/**
 * Builders of data folders for validation tests: a clean copy of the official files with placeholder
 * images, then one deliberate edit per fault. Editing goes through parsed values where the fault is
 * about content, and through text where it is about syntax (duplicate keys, broken JSON).
 */

export type JsonObject = Record<string, unknown>;
export type OfficialPairRecord = Record<string, unknown>;

/** Removes a temp folder when the current test ends (these helpers are only called inside tests). */
export function removeAfterTest(dir: string): string {
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export const freshOfficialDir = async (): Promise<string> => removeAfterTest(await makeOfficialDataDir());

export async function readJson(dir: string, name: string): Promise<JsonObject> {
  return JSON.parse(await readFile(path.join(dir, name), 'utf8')) as JsonObject;
}

/** Rewrites a JSON file the way the official files are written (4-space indent). */
export async function writeJson(dir: string, name: string, value: unknown): Promise<void> {
  await writeFile(path.join(dir, name), `${JSON.stringify(value, null, 4)}\n`);
}

export async function editPairs(dir: string, edit: (pairs: Record<string, OfficialPairRecord>) => void) {
  const pairs = (await readJson(dir, 'dataset.json')) as Record<string, OfficialPairRecord>;
  edit(pairs);
  await writeJson(dir, 'dataset.json', pairs);
}

export async function editText(dir: string, name: string, edit: (text: string) => string): Promise<string> {
  const file = path.join(dir, name);
  const text = edit(await readFile(file, 'utf8'));
  await writeFile(file, text);
  return text;
}

/** 1-based line of the first `needle` after the first `after` (so a field can be found inside one pair). */
export function lineOf(text: string, needle: string, after = ''): number {
  const start = after ? text.indexOf(after) : 0;
  if (start < 0) throw new Error(`"${after}" not in text`);
  const at = text.indexOf(needle, start);
  if (at < 0) throw new Error(`"${needle}" not in text after "${after}"`);
  return text.slice(0, at).split('\n').length;
}

export async function fileText(dir: string, name: string): Promise<string> {
  return readFile(path.join(dir, name), 'utf8');
}

export const EXAMPLE_SET = path.join(ROOT, 'data', 'examples', 'custom-set.example.yaml');

/** A temp copy of the committed example set (YAML file and its images); returns the folder. */
export async function copyExampleSet(): Promise<string> {
  const dir = removeAfterTest(await mkdtemp(path.join(tmpdir(), 'mediconfusion-custom-')));
  await cp(path.dirname(EXAMPLE_SET), dir, { recursive: true });
  return dir;
}

export type CustomSetValue = {
  name?: unknown;
  categories?: unknown;
  pairs: Array<Record<string, unknown> & { images: Array<Record<string, unknown>> }>;
} & JsonObject;

/** Rewrites the example set in `dir` after `edit`, as YAML (`name` ending .yaml) or JSON (.json). */
export async function writeCustomSet(
  dir: string,
  name: string,
  edit: (set: CustomSetValue) => void = () => {},
): Promise<{ file: string; text: string }> {
  const value = parse(await readFile(path.join(dir, path.basename(EXAMPLE_SET)), 'utf8')) as CustomSetValue;
  edit(value);
  const text = name.endsWith('.json') ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
  const file = path.join(dir, name);
  await writeFile(file, text);
  return { file, text };
}
