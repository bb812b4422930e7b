import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnsweredPair } from '../../src/baseline/answered-pair.js';
import {
  assumedComponents,
  estimateComponents,
  plan,
  plannedHalfWidth,
  type VarianceComponents,
} from '../../src/baseline/planner.js';
import { loadPairSetStrict } from '../../src/dataset/load.js';
import type { PairSet } from '../../src/dataset/model.js';
import { seededRandom } from '../../src/random.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import { runCliCaptured } from '../support/cli.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';

const components: VarianceComponents = {
  accuracy: 0.5,
  person: 0.01,
  pair: 0.04,
  rest: 0.2,
  source: 'assumed',
  participants: 0,
  pairs: 0,
  answers: 0,
};

describe('planned interval width', () => {
  it('is z·sqrt(σ²_person/P + σ²_pair/D + σ²_rest/(P·K)), D capped at the set size', () => {
    // 10 people × 20 pairs = 200 answers over min(176, 200) = 176 distinct pairs.
    const variance = 0.01 / 10 + 0.04 / 176 + 0.2 / 200;
    expect(plannedHalfWidth(components, { participants: 10, pairsEach: 20, setSize: 176 })).toBeCloseTo(
      1.959963984540054 * Math.sqrt(variance) * 100,
      10,
    );
    // 3 people × 10 pairs cover only 30 pairs.
    expect(plannedHalfWidth(components, { participants: 3, pairsEach: 10, setSize: 176 })).toBeCloseTo(
      1.959963984540054 * Math.sqrt(0.01 / 3 + 0.04 / 30 + 0.2 / 30) * 100,
      10,
    );
  });

  it('plans the fewest people reaching the margin', () => {
    const [row] = plan(components, { margin: 5, setSize: 176, pairsEach: [20] });
    const p = row?.participants as number;
    expect(row?.halfWidth).toBeLessThanOrEqual(5);
    expect(
      plannedHalfWidth(components, { participants: p, pairsEach: 20, setSize: 176 }),
    ).toBeLessThanOrEqual(5);
    expect(
      plannedHalfWidth(components, { participants: p - 1, pairsEach: 20, setSize: 176 }),
    ).toBeGreaterThan(5);
    expect(row).toMatchObject({ pairsEach: 20, answers: p * 20, distinctPairs: 176 });
  });

  it('says when no number of people can reach the margin, and why', () => {
    // Pair-to-pair variation over all 176 pairs alone: 1.96 · sqrt(0.04 / 176) = ±2.95 points.
    const [row] = plan(components, { margin: 2, setSize: 176, pairsEach: [44] });
    expect(row).toMatchObject({ participants: null, halfWidth: null });
    expect(row?.floor).toBeCloseTo(1.959963984540054 * Math.sqrt(0.04 / 176) * 100, 10);
  });

  it('states its assumptions before any data: accuracy one half, 10% between people, 30% between pairs', () => {
    const c = assumedComponents();
    expect(c).toMatchObject({ accuracy: 0.5, person: 0.025, pair: 0.075, source: 'assumed' });
    expect(c.rest).toBeCloseTo(0.15, 12);
  });
});

describe('variance components from answers', () => {
  let set: PairSet;
  beforeAll(async () => {
    set = await loadPairSetStrict({ dataDir: SHARED_DATASET_DIR });
  });

  /** People answering every pair right with chance 0.5 + person effect ± 0.1 + pair effect ± 0.2. */
  function simulate(people: number): AnsweredPair[] {
    const random = seededRandom(11);
    const out: AnsweredPair[] = [];
    for (let i = 0; i < people; i++) {
      const personEffect = i % 2 === 0 ? 0.1 : -0.1;
      set.pairs.forEach((pair, j) => {
        const pairEffect = j % 2 === 0 ? 0.2 : -0.2;
        const right = random() < 0.5 + personEffect + pairEffect;
        const wrong = (o: 'A' | 'B') => (o === 'A' ? 'B' : 'A');
        const chosen: ['A' | 'B', 'A' | 'B'] = [
          pair.images[0].correct,
          right ? pair.images[1].correct : wrong(pair.images[1].correct),
        ];
        out.push({
          participant: `p${i}`,
          group: 'unspecified',
          pair,
          chosen,
          score: scorePair(pair, chosen),
          seenBefore: [false, false],
        });
      });
    }
    return out;
  }

  it('recovers the person and pair variances of a simulated crossed design', () => {
    // σ²_person = 0.1² = 0.01, σ²_pair = 0.2² = 0.04, total 0.25, rest 0.2.
    const c = estimateComponents(simulate(40));
    expect(c).toMatchObject({ source: 'data', participants: 40, pairs: 176, answers: 40 * 176 });
    expect(c?.person).toBeGreaterThan(0.006);
    expect(c?.person).toBeLessThan(0.014);
    expect(c?.pair).toBeGreaterThan(0.032);
    expect(c?.pair).toBeLessThan(0.048);
    expect(c?.rest).toBeGreaterThan(0.17);
    expect(c?.rest).toBeLessThan(0.23);
  });

  it('refuses to estimate below the minimum for an interval', () => {
    expect(estimateComponents(simulate(2))).toBeNull();
  });
});

describe('mediconfusion baseline plan', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'baseline-plan-'));
    env = {
      LOG_LEVEL: 'silent',
      STORE_URL: `sqlite://${path.join(dir, 'store.sqlite')}`,
      BASELINE_SECRET: 'baseline-plan-test-secret-0123456789',
      MEDICONFUSION_DATA_DIR: SHARED_DATASET_DIR,
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plans from stated assumptions when nothing is recorded yet', async () => {
    const run = await runCliCaptured(['baseline', 'plan', '--margin', '5'], env, dir);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Too few answers to estimate from (0 people, 0 pairs');
    expect(run.out).toContain('Assumed (no data used): set accuracy 50.0%');
    expect(run.out).toContain('For a 95% interval of ±5 points on set accuracy');
    const [row] = plan(assumedComponents(), { margin: 5, setSize: 176, pairsEach: [20] });
    expect(run.out).toMatch(
      new RegExp(`\\n\\s+20\\s+${row?.participants}\\s+${(row?.participants ?? 0) * 20}\\s+176\\s+±`),
    );
  });

  it('says when the margin cannot be reached', async () => {
    const run = await runCliCaptured(
      ['baseline', 'plan', '--margin', '2', '--assume', '--pairs-each', '44'],
      env,
      dir,
    );
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/44\s+—.*not reachable: pair-to-pair variation alone gives ±4\.0/);
  });

  it('refuses a margin that is not a positive number, saying which option', async () => {
    const run = await runCliCaptured(['baseline', 'plan', '--margin', 'five'], env, dir);
    expect(run.code).not.toBe(0);
    expect(run.err).toContain("option '--margin <points>' argument 'five' is invalid");
  });
});
