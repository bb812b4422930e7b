/**
 * Agreement between raters on nominal ratings, from each unit's counts per category (who gave a rating
 * does not enter either coefficient). A unit is one image of one pair; its categories are the options.
 * Both take optional unit weights so that a bootstrap can count a resampled unit several times.
 */

/** How many raters put the unit in each category (same category order for every unit). */
export type UnitCounts = readonly number[];

function unitTotal(counts: UnitCounts): number {
  let n = 0;
  for (const c of counts) n += c;
  return n;
}

/**
 * Fleiss' kappa (Fleiss 1971): observed pairwise agreement P̄ against the agreement Σ pⱼ² expected from
 * the pooled category shares. Fleiss defined it for the same number of raters per unit; with unequal
 * numbers each unit's agreement is taken over its own rater pairs and P̄ averages units (the usual
 * extension), so on a complete design it is exactly Fleiss's. Units with fewer than two ratings are left
 * out; null when no unit has two or when every rating is in one category (expected agreement 1).
 */
export function fleissKappa(units: readonly UnitCounts[], weights?: readonly number[]): number | null {
  let agreementSum = 0;
  let unitWeight = 0;
  const categoryTotals: number[] = [];
  let ratings = 0;
  units.forEach((counts, u) => {
    const w = weights?.[u] ?? 1;
    const n = unitTotal(counts);
    if (n < 2 || w === 0) return;
    let sameRatings = 0;
    counts.forEach((c, j) => {
      sameRatings += c * (c - 1);
      categoryTotals[j] = (categoryTotals[j] ?? 0) + w * c;
    });
    agreementSum += (w * sameRatings) / (n * (n - 1));
    unitWeight += w;
    ratings += w * n;
  });
  if (unitWeight === 0) return null;
  const observed = agreementSum / unitWeight;
  let expected = 0;
  for (const t of categoryTotals) expected += ((t ?? 0) / ratings) ** 2;
  if (expected >= 1 - 1e-12) return null;
  return (observed - expected) / (1 - expected);
}

/**
 * Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"):
 * 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, from the coincidence matrix o, where a unit with m ratings
 * adds n_uc·n_uk / (m − 1) to o_ck (c ≠ k). Made for incomplete designs: every unit with two or more
 * ratings counts, whoever gave them. Null without two pairable ratings or without variation.
 */
export function krippendorffAlpha(units: readonly UnitCounts[], weights?: readonly number[]): number | null {
  const categories = Math.max(0, ...units.map((u) => u.length));
  const marginals = new Array<number>(categories).fill(0);
  let disagreements = 0;
  units.forEach((counts, u) => {
    const w = weights?.[u] ?? 1;
    const m = unitTotal(counts);
    if (m < 2 || w === 0) return;
    for (let c = 0; c < categories; c++) {
      const nc = counts[c] ?? 0;
      marginals[c] = (marginals[c] as number) + w * nc;
      for (let k = 0; k < categories; k++) {
        if (k !== c) disagreements += (w * nc * (counts[k] ?? 0)) / (m - 1);
      }
    }
  });
  let n = 0;
  for (const v of marginals) n += v;
  if (n < 2) return null;
  let expected = 0;
  for (let c = 0; c < categories; c++) {
    for (let k = 0; k < categories; k++) {
      if (k !== c) expected += (marginals[c] as number) * (marginals[k] as number);
    }
  }
  if (expected === 0) return null;
  return 1 - ((n - 1) * disagreements) / expected;
}
