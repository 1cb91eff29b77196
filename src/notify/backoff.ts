/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's "full
 * jitter"): the n-th retry waits a uniformly random time in
 * [0, min(cap, base * 2^(n-1))]. Spreading retries this way keeps many
 * notifications that failed together from hammering a receiver together.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * exp);
}
