// Contextual (sequence) novelty, in the spirit of context-based detectors such as
// CAD OSE and ARTime: values are quantised into `levels` bins over the range seen
// so far, the last `window` quantised values form a context, and contexts are
// remembered in a small hashed bit set. A context never seen before is novel;
// its surprise is -log10 of the series' recent rate of novel contexts, so a series
// that keeps producing new contexts (still learning, or erratic) scores low, and a
// settled one that suddenly does something new scores high.
import type { Layout } from './layout.js';

export interface NoveltyConfig {
  levels: number;
  window: number;
  /** Bits in the context memory (a multiple of 32). */
  bits: number;
  /** Memory (samples) of the novel-context rate. */
  rateMemory: number;
  /** Lowest rate used (caps the surprise at -log10(minRate)). */
  minRate: number;
}

export class ContextNovelty {
  readonly at: number;
  /** Start of the bit set (placeMemory). */
  private bits = -1;
  readonly words: number;
  private readonly mod: number;
  private readonly intCodes: boolean;
  /** bits - 1 and mod - 1 when a power of two (a mask then does a modulo's work), else 0. */
  private readonly mask: number;
  private readonly modMask: number;

  constructor(layout: Layout, readonly cfg: NoveltyConfig) {
    this.words = Math.ceil(cfg.bits / 32);
    this.mod = cfg.levels ** (cfg.window - 1);
    this.intCodes = this.mod * cfg.levels <= 2 ** 31;
    const n = this.words * 32;
    this.mask = this.intCodes && (n & (n - 1)) === 0 ? n - 1 : 0;
    this.modMask = this.intCodes && (this.mod & (this.mod - 1)) === 0 ? this.mod - 1 : 0;
    // Slots: code, filled (values in the code), rate. The bit set (32 bits per slot) is
    // placed apart (placeMemory), so these three can sit with the other slots every sample reads.
    this.at = layout.reserve(3);
  }

  placeMemory(layout: Layout): void {
    this.bits = layout.reserve(this.words);
  }

  get memoryAt(): number {
    return this.bits;
  }

  init(s: Float64Array): void {
    s.fill(0, this.at, this.at + 3);
    s.fill(0, this.bits, this.bits + this.words);
    s[this.at + 2] = 1;
  }

  /**
   * Adds x (quantised over [lo, hi]) and returns the surprise of the context
   * it completes (0 if seen before or the window is not full yet).
   */
  update(s: Float64Array, x: number, lo: number, hi: number): number {
    const a = this.at;
    const c = this.cfg;
    let q = hi > lo ? Math.floor(((x - lo) / (hi - lo)) * c.levels) : 0;
    if (q < 0) q = 0;
    else if (q >= c.levels) q = c.levels - 1;
    // Codes below 2^31 take integer arithmetic, and a mask where the modulus is a power of
    // two (a double modulo is a library call, an integer one a division).
    const prev = s[a]!;
    const kept = this.modMask !== 0 ? (prev | 0) & this.modMask : this.intCodes ? (prev | 0) % this.mod : prev % this.mod;
    const code = kept * c.levels + q;
    s[a] = code;
    const filled = s[a + 1]! + 1;
    s[a + 1] = filled;
    if (filled < c.window) return 0;
    // Multiplicative hash of the code into the bit set. An integer code has no high word;
    // with a power-of-two bit count the low bits are taken by a mask, the same bits as the
    // modulo of the unsigned hash (which, above 2^31, is a floating-point remainder).
    const mixed = Math.imul(code | 0, 0x9e3779b1);
    const bit = this.mask !== 0 ? mixed & this.mask : ((this.intCodes ? mixed : mixed ^ Math.floor(code / 4294967296)) >>> 0) % (this.words * 32);
    const slot = this.bits + (bit >>> 5);
    const mask = 1 << (bit & 31);
    const word = s[slot]! | 0;
    const novel = (word & mask) === 0;
    const rate = s[a + 2]!;
    const e = novel ? -Math.log10(rate > c.minRate ? rate : c.minRate) : 0;
    if (novel) s[slot] = word | mask;
    s[a + 2] = rate + (1 / c.rateMemory) * ((novel ? 1 : 0) - rate);
    return e;
  }
}
