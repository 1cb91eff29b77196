/**
 * A sample is a millisecond timestamp and a float64 value, as in Prometheus.
 * Prometheus marks a series that disappeared with a special NaN ("stale marker"):
 * bit pattern 0x7ff0000000000002. Ordinary NaN (0x7ff8000000000001 in Prometheus)
 * is a value; the stale marker is a signal, and must survive storage.
 */
export interface Sample {
  /** Unix time in milliseconds. */
  t: number;
  v: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian hosts store the low word first; detect once so the check is portable.
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

export const STALE_NAN_HIGH = 0x7ff00000;
export const STALE_NAN_LOW = 0x00000002;

/** The Prometheus stale marker as a JS number (its payload bits are preserved by typed arrays). */
export const STALE_NAN: number = (() => {
  u32[HIGH] = STALE_NAN_HIGH;
  u32[LOW] = STALE_NAN_LOW;
  return f64[0];
})();

/**
 * The marker is a signalling NaN, and the CPU may quiet it (set bit 51) when the
 * value passes through a JS array or a float register. Quieting keeps the payload,
 * so we accept both the exact pattern and its quieted twin; codecs write the exact one.
 */
export function isStaleMarker(v: number): boolean {
  if (v === v) return false; // not NaN at all: the common case, no typed-array traffic
  f64[0] = v;
  return (u32[HIGH]! & ~0x00080000) === STALE_NAN_HIGH && u32[LOW] === STALE_NAN_LOW;
}
