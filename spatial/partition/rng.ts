/**
 * A small seeded random number generator (mulberry32): every random choice of the partition takes one, so
 * the same input and seed give byte-identical output.
 *
 * @example const r = seededRandom(7); r(); // 0 ≤ x < 1, the same sequence for seed 7 every time
 */
export function seededRandom(seed: number): () => number {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
