/**
 * Undefined when every part is ready now (each `ready` returned undefined), else a
 * promise that resolves once all the pending ones have. Ready parts cost no promise,
 * so the common case (nothing to wait for) allocates nothing.
 */
export function whenAllReady<T>(parts: Iterable<T>, ready: (part: T) => Promise<void> | undefined): Promise<void> | undefined {
  let waits: Array<Promise<void>> | undefined;
  for (const part of parts) {
    const w = ready(part);
    if (w) (waits ??= []).push(w);
  }
  if (!waits) return undefined;
  return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
}
