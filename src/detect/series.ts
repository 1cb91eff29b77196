// One series' detector: the shared ensemble plus this series' state, and the
// compact snapshot of that state (a Float64Array; as bytes or as JSON/base64).
import { UnivariateEnsemble, type EnsembleConfig, type PartialConfig } from './ensemble.js';
import { ExplanationSlot } from './types.js';
import type { AnomalyExplanation } from '../core/events.js';

export interface StateSnapshot {
  kind: 'vigil.univariate';
  /** Slots in the state (guards against restoring into another layout). */
  size: number;
  /** The state's Float64 values, little-endian, base64. */
  data: string;
}

/** The state as little-endian bytes (a copy). */
export function stateToBytes(state: Float64Array): Uint8Array {
  const out = new Uint8Array(state.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < state.length; i++) view.setFloat64(i * 8, state[i]!, true);
  return out;
}

export function stateFromBytes(bytes: Uint8Array, detector: UnivariateEnsemble): Float64Array {
  if (bytes.length !== detector.size * 8) throw new Error(`state snapshot has ${bytes.length} bytes, this detector's state has ${detector.size * 8}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = new Float64Array(detector.size);
  for (let i = 0; i < s.length; i++) s[i] = view.getFloat64(i * 8, true);
  detector.upgrade(s);
  return s;
}

export function stateToJson(state: Float64Array): StateSnapshot {
  return { kind: 'vigil.univariate', size: state.length, data: Buffer.from(stateToBytes(state)).toString('base64') };
}

export function stateFromJson(snap: StateSnapshot, detector: UnivariateEnsemble): Float64Array {
  if (snap.kind !== 'vigil.univariate') throw new Error(`not a univariate detector snapshot: ${String(snap.kind)}`);
  if (snap.size !== detector.size) throw new Error(`snapshot has ${snap.size} slots, this detector's state has ${detector.size}`);
  return stateFromBytes(new Uint8Array(Buffer.from(snap.data, 'base64')), detector);
}

/** Convenience wrapper: one series, its state and its latest explanation. */
export class SeriesDetector {
  readonly detector: UnivariateEnsemble;
  state: Float64Array;
  private readonly slot = new ExplanationSlot();

  constructor(detector: UnivariateEnsemble | PartialConfig<EnsembleConfig> = new UnivariateEnsemble(), state?: Float64Array) {
    this.detector = detector instanceof UnivariateEnsemble ? detector : new UnivariateEnsemble(detector);
    this.state = state ?? this.detector.createState();
  }

  /** Scores (and learns) one sample; returns the anomaly score in [0,1]. */
  update(t: number, v: number): number {
    return this.detector.update(this.state, t, v, this.slot);
  }

  /** The explanation of the last sample. */
  explanation(): AnomalyExplanation {
    return this.slot.toExplanation();
  }

  snapshot(): StateSnapshot {
    return stateToJson(this.state);
  }

  static restore(snap: StateSnapshot, detector: UnivariateEnsemble = new UnivariateEnsemble()): SeriesDetector {
    return new SeriesDetector(detector, stateFromJson(snap, detector));
  }
}
