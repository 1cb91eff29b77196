/** mulberry32's state increment: each draw adds it to the 32-bit state, then mixes the state (mulberry32Mix). */
export const MULBERRY32_STEP = 0x6d2b79f5;

/** mulberry32's output for an (already advanced) 32-bit state: uniform in [0, 1). */
export function mulberry32Mix(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A tiny deterministic PRNG (mulberry32): uniform in [0, 1). For reproducible tests, benchmarks and sampling. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + MULBERRY32_STEP) >>> 0;
    return mulberry32Mix(s);
  };
}
