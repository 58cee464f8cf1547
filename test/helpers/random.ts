/**
 * Seeded pseudo-random generators, so a test that makes up its data (documents, delays, bodies)
 * makes the same data every run, and a failure can be rebuilt from its seed.
 */

/** The classic linear congruential generator (glibc's constants): each call gives the next 32-bit state. */
export function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
}

/** mulberry32: a float in [0, 1) each call, of better quality than `lcg`. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
