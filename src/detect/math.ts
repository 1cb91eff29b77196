// Small numeric helpers for the detectors: Gaussian tails, clamping. Allocation-free.

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper tail of the standard normal, P(Z > z) (the Q-function). */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** UTC hour-of-day [0, 24) as a fraction and day-of-week (0 = Sunday) of a ms timestamp. */
export function dayFraction(t: number): number {
  const d = t / 86_400_000;
  return d - Math.floor(d);
}

export function dayOfWeek(t: number): number {
  return (Math.floor(t / 86_400_000) + 4) % 7;
}
