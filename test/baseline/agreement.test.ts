import { describe, expect, it } from 'vitest';
import { fleissKappa, krippendorffAlpha, type UnitCounts } from '../../src/baseline/agreement.js';

/** Reliability data as rows of observers, null for a missing rating, turned into per-unit counts. */
function countsOf(observers: ReadonlyArray<ReadonlyArray<number | null>>, categories: number): UnitCounts[] {
  const units = observers[0]?.length ?? 0;
  return Array.from({ length: units }, (_, u) => {
    const counts = new Array<number>(categories).fill(0);
    for (const row of observers) {
      const v = row[u];
      if (v !== null && v !== undefined) counts[v - 1] = (counts[v - 1] as number) + 1;
    }
    return counts;
  });
}

describe("Fleiss' kappa", () => {
  // Fleiss (1971)-style worked example (as on Wikipedia's "Fleiss' kappa" page): 14 raters put 10 subjects
  // into 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
  const worked: UnitCounts[] = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];

  it('matches the published worked example', () => {
    expect(fleissKappa(worked)).toBeCloseTo(0.21, 3);
  });

  it("is Scott's pi for two raters (Krippendorff's binary example: Po 0.6, Pe 0.58)", () => {
    const units = countsOf(
      [
        [1, 2, 1, 1, 1, 1, 1, 1, 2, 1],
        [2, 2, 2, 1, 1, 2, 1, 1, 1, 1],
      ],
      2,
    );
    expect(fleissKappa(units)).toBeCloseTo((0.6 - 0.58) / (1 - 0.58), 12);
  });

  it('counts a unit twice when its weight is 2, as a bootstrap resample does', () => {
    const doubled = [...worked, worked[0] as UnitCounts];
    expect(fleissKappa(worked, [2, 1, 1, 1, 1, 1, 1, 1, 1, 1])).toBeCloseTo(
      fleissKappa(doubled) as number,
      12,
    );
  });

  it('leaves out units with one rating, and is undefined without variation or pairable units', () => {
    expect(fleissKappa([...worked, [0, 1, 0, 0, 0]])).toBeCloseTo(fleissKappa(worked) as number, 12);
    expect(fleissKappa([[3, 0]])).toBeNull();
    expect(fleissKappa([[1, 0]])).toBeNull();
    expect(fleissKappa([])).toBeNull();
  });
});

describe("Krippendorff's alpha (nominal)", () => {
  it("matches Krippendorff's worked example with missing data (4 observers, 12 units): 0.743", () => {
    // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C; unit 12 has one value only.
    const n = null;
    const units = countsOf(
      [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
      ],
      5,
    );
    expect(krippendorffAlpha(units)).toBeCloseTo(0.743, 3);
  });

  it("matches Krippendorff's binary example for two observers: 0.095", () => {
    const units = countsOf(
      [
        [1, 2, 1, 1, 1, 1, 1, 1, 2, 1],
        [2, 2, 2, 1, 1, 2, 1, 1, 1, 1],
      ],
      2,
    );
    expect(krippendorffAlpha(units)).toBeCloseTo(0.095, 3);
  });

  it('is 1 for perfect agreement with variation, undefined without variation', () => {
    expect(
      krippendorffAlpha([
        [3, 0],
        [0, 2],
      ]),
    ).toBe(1);
    expect(krippendorffAlpha([[3, 0]])).toBeNull();
  });
});
