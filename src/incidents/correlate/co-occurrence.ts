/**
 * Learned co-occurrence: services that keep turning up in the same incidents
 * are related even when the graph does not connect them (a shared host, a
 * hidden dependency). Learned from closed incidents; a pair counts as related
 * once it has been seen together `minSupport` times and in at least
 * `minConfidence` of the incidents of the rarer of the two.
 */
export class CoOccurrence {
  private readonly single = new Map<string, number>();
  private readonly pairs = new Map<string, number>();

  constructor(
    readonly minSupport = 3,
    readonly minConfidence = 0.5,
  ) {}

  /** Records one incident's set of services. */
  learn(services: Iterable<string>): void {
    const s = [...new Set(services)].sort();
    for (const a of s) this.single.set(a, (this.single.get(a) ?? 0) + 1);
    if (s.length > 50) return; // a fleet-wide outage says nothing about pairs
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) this.pairs.set(key(s[i], s[j]), (this.pairs.get(key(s[i], s[j])) ?? 0) + 1);
  }

  /** Confidence that a and b are related, in [0, 1]; 0 below the support and confidence floors. */
  confidence(a: string, b: string): number {
    if (a === b) return 1;
    const n = this.pairs.get(a < b ? key(a, b) : key(b, a)) ?? 0;
    if (n < this.minSupport) return 0;
    const c = n / Math.min(this.single.get(a) ?? n, this.single.get(b) ?? n);
    return c >= this.minConfidence ? Math.min(1, c) : 0;
  }

  get incidents(): number {
    let max = 0;
    for (const v of this.single.values()) max = Math.max(max, v);
    return max;
  }
}

function key(a: string, b: string): string {
  return `${a}\u0000${b}`;
}
