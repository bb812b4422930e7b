import { beforeAll, describe, expect, it } from 'vitest';
import type { PairSet } from '../../src/dataset/model.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import {
  alignAnswersToSet,
  officialPairRecord,
  parseAnswers,
  type SetScore,
  scoreSet,
} from '../../src/scoring/index.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { GOLDEN_SETS, type GoldenCase, loadGoldenCase } from './helpers.js';

let set: PairSet;
beforeAll(async () => {
  set = await loadOfficialSetStrict(SHARED_DATASET_DIR);
});

describe.each(GOLDEN_SETS)('golden set %s, scored like the official harness', (name) => {
  let golden: GoldenCase;
  let result: SetScore;
  beforeAll(async () => {
    golden = await loadGoldenCase(name);
    const parsed = parseAnswers(golden.input, { source: name });
    result = scoreSet(set, alignAnswersToSet(set, parsed, name).answers, golden.expectedTable.tr);
  });

  it('gives every pair the official parsed scores, choices and flags', () => {
    const records = Object.fromEntries(
      result.pairs.map((scored) => [scored.pair.id, officialPairRecord(scored)]),
    );
    expect(Object.keys(records)).toHaveLength(176);
    expect(records).toEqual(golden.expectedPairs);
  });

  it('builds the official count table exactly', () => {
    expect(result.counts).toEqual(golden.expectedTable.raw_score_table);
  });

  it('computes every unrounded percentage bit for bit', () => {
    const expected = golden.expectedTable.table_full;
    expect(result.summary.rows).toEqual(Object.keys(expected));
    for (const [row, columns] of Object.entries(expected)) {
      for (const [column, value] of Object.entries(columns)) {
        expect(result.summary.full[row]?.[column as keyof typeof columns], `${row} ${column}`).toBe(value);
      }
    }
  });

  it('rounds every percentage as the official printing script does', () => {
    expect(result.summary.rounded).toEqual(golden.expectedTable.table_rounded);
  });
});
