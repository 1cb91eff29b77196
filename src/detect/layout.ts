// Per-series state lives in one Float64Array; components reserve slots in it at
// construction. The detector objects hold only configuration and offsets, so one
// detector serves any number of series, and a series' state is a flat array that
// saves and restores by copying.

export class Layout {
  private next = 0;

  /** Reserves `n` consecutive slots and returns the first one's index. */
  reserve(n: number): number {
    const at = this.next;
    this.next += n;
    return at;
  }

  get size(): number {
    return this.next;
  }
}
