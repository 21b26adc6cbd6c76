// A small seeded PRNG (mulberry32) so shuffles and splits are reproducible from a run's seed.
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A seed for TensorFlow.js's random ops. TensorFlow.js reads a seed of 0 as "no seed"
 * (`seed ? seed : Math.random()`), so a stream whose computed seed is 0 would draw unseeded
 * numbers and never repeat; it uses `zeroAs` instead (a value no other draw of that stream takes). */
export const tfjsSeed = (seed: number, zeroAs: number): number => seed || zeroAs;
