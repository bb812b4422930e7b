/** A source of uniform numbers in [0, 1), like Math.random; injected so that tests can fix the draw. */
export type RandomSource = () => number;

/**
 * A small seeded generator (mulberry32) for reproducible draws in tests and replays. Not for anything
 * security-related: the quiz only needs an unpredictable-enough order of pairs.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates: a uniformly random permutation of `items` (a new array). */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}
