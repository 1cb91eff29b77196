// NAB's weighting curve for detections, as in nab/sweeper.py.

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Scaled sigmoid of a relative position: -1 is a window's first record (about
 * +0.987), 0 its right edge (0), positive values lie past the window and go
 * negative; beyond 3 NAB pins the value to exactly -1.
 */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 * sigmoid(-5 * relativePosition) - 1;
}

/** The value at a window's first record; TP weights are divided by it so that an earliest detection earns exactly tpWeight. */
export const MAX_TP = scaledSigmoid(-1);
