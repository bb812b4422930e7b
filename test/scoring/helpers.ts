import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfusingPair, Option, PairSet } from '../../src/dataset/model.js';
import { categorySlotCounts, type OfficialScoreTable, type SummaryRow } from '../../src/scoring/index.js';
import { SHARED_SCORING_CASES_DIR } from '../support/paths.js';

export const GOLDEN_SETS = ['mc_always_A', 'mc_random_seed0', 'ff_scores_cycle'] as const;
export type GoldenSetName = (typeof GOLDEN_SETS)[number];

export interface GoldenCase {
  name: GoldenSetName;
  inputFile: string;
  input: Record<string, { im1: unknown; im2: unknown }>;
  expectedPairs: Record<string, Record<string, unknown>>;
  expectedTable: {
    tr: number;
    raw_score_table: OfficialScoreTable;
    table_full: Record<string, SummaryRow>;
    table_rounded: Record<string, SummaryRow>;
  };
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

export async function loadGoldenCase(name: GoldenSetName): Promise<GoldenCase> {
  const dir = path.join(SHARED_SCORING_CASES_DIR, name);
  return {
    name,
    inputFile: path.join(dir, 'input.json'),
    input: await readJson(path.join(dir, 'input.json')),
    expectedPairs: await readJson(path.join(dir, 'expected_pairs.json')),
    expectedTable: await readJson(path.join(dir, 'expected_table.json')),
  };
}

export interface ParserCase {
  raw: string;
  A: number;
  B: number;
  chosen: Option | '-';
}

export function loadParserCases(): Promise<ParserCase[]> {
  return readJson(path.join(SHARED_SCORING_CASES_DIR, 'parser_cases.json'));
}

/** A hand-made pair: categories per image and the answer key per image. */
export function makePair(
  id: string,
  categories: [string[], string[]],
  correct: [Option, Option] = ['A', 'B'],
): ConfusingPair {
  const image = (slot: 0 | 1) => ({
    localId: `${id}-${slot + 1}`,
    rocoPath: null,
    pmcArticle: null,
    figureFile: null,
    file: null,
    caption: '',
    categories: categories[slot],
    correct: correct[slot],
  });
  return {
    id,
    question: 'Which is it?',
    options: { A: 'first', B: 'second' },
    images: [image(0), image(1)],
    similarity: { biomedClip: null, dino: null },
  };
}

/** A custom set whose denominators are counted per image slot, as the official statistics.json is. */
export function makeSet(pairs: ConfusingPair[], categories: string[]): PairSet {
  return {
    name: 'hand-made',
    pairs,
    categories,
    categoryCounts: categorySlotCounts(pairs, categories),
    imagesDir: '/nonexistent',
  };
}
