import type { UnivariateEnsemble } from '../ensemble.js';
import { stateFromBytes } from '../series.js';
import type { EpisodeState } from './episode.js';

/**
 * What a series' saved state holds besides the detector's own: its episode (so a
 * restart in the middle of an anomaly does not open it again and raise a second
 * event), the counter's previous sample (so the first sample after a restart still
 * has a rate) and the last score written (so the zero that ends a run of nonzero
 * scores is still written after a restart, and a query does not keep seeing the
 * last nonzero score).
 */
export interface SlotExtras extends EpisodeState {
  prevT: number;
  prevV: number;
  scoreT: number;
  scoreV: number;
}

/** Marks the trailer, so a detector layout that happens to be TRAILER slots longer is not misread as one with it. */
const TAG = 0x5649474c; // "VIGL"
const TRAILER = 9;

/** The detector state's bytes followed by the trailer (little-endian float64s). */
export function slotStateToBytes(state: Float64Array, x: SlotExtras): Uint8Array {
  const out = new Uint8Array((state.length + TRAILER) * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < state.length; i++) view.setFloat64(i * 8, state[i]!, true);
  const tail = [TAG, x.open ? 1 : 0, x.below, x.peak, x.startedAt, x.prevT, x.prevV, x.scoreT, x.scoreV];
  for (let i = 0; i < TRAILER; i++) view.setFloat64((state.length + i) * 8, tail[i]!, true);
  return out;
}

/**
 * Reads what slotStateToBytes wrote; a state saved before the trailer existed (the
 * detector's bytes alone) restores with `extras` undefined. Throws on any other size.
 */
export function slotStateFromBytes(bytes: Uint8Array, detector: UnivariateEnsemble): { state: Float64Array; extras: SlotExtras | undefined } {
  const size = detector.size * 8;
  if (bytes.length !== size + TRAILER * 8) return { state: stateFromBytes(bytes, detector), extras: undefined };
  const view = new DataView(bytes.buffer, bytes.byteOffset + size, TRAILER * 8);
  const f = (i: number) => view.getFloat64(i * 8, true);
  if (f(0) !== TAG) throw new Error(`state snapshot has ${bytes.length} bytes but no series trailer; this detector's state has ${size}`);
  const state = stateFromBytes(bytes.subarray(0, size), detector);
  return { state, extras: { open: f(1) === 1, below: f(2), peak: f(3), startedAt: f(4), prevT: f(5), prevV: f(6), scoreT: f(7), scoreV: f(8) } };
}
