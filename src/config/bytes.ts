/**
 * Byte sizes: a plain integer (bytes) or a number with a unit. Decimal units
 * (KB, MB, GB, TB; also K, M, G, T) are powers of 1000, binary units (KiB, MiB,
 * GiB, TiB; also Ki, Mi, Gi, Ti) powers of 1024, as in Kubernetes quantities.
 */

const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
};

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

export const BYTE_SIZE_HINT = 'expected e.g. 10MiB, 512KB or a number of bytes';

/** Bytes in a size (fractions round down); throws a RangeError naming the input when it is not one. */
export function parseByteSize(s: string | number): number {
  if (typeof s === 'number') {
    if (Number.isSafeInteger(s) && s >= 0) return s;
    throw new RangeError(`invalid size ${s} (${BYTE_SIZE_HINT})`);
  }
  const m = SIZE_RE.exec(s.trim());
  const unit = m ? UNIT_BYTES[m[2]!.toLowerCase() || 'b'] : undefined;
  if (!m || unit === undefined) throw new RangeError(`invalid size ${JSON.stringify(s)} (${BYTE_SIZE_HINT})`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`size ${JSON.stringify(s)} is too large`);
  return bytes;
}
