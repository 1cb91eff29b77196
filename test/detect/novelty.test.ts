import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Layout } from '../../src/detect/layout.js';
import { ContextNovelty, type NoveltyConfig } from '../../src/detect/novelty.js';
import { mulberry32 } from '../../src/core/mulberry32.js';

const CONFIG: NoveltyConfig = { levels: 8, window: 4, bits: 2048, rateMemory: 500, minRate: 1e-4 };

function novelty(cfg: NoveltyConfig) {
  const layout = new Layout();
  const n = new ContextNovelty(layout, cfg);
  n.placeMemory(layout);
  const s = new Float64Array(layout.size);
  n.init(s);
  return { n, s };
}

/** The bit set as the first implementation filled it: the unsigned hash modulo the bit count. */
function referenceBits(cfg: NoveltyConfig, xs: number[], lo: number, hi: number): Uint32Array {
  const words = Math.ceil(cfg.bits / 32);
  const mod = cfg.levels ** (cfg.window - 1);
  const bits = new Uint32Array(words);
  let code = 0;
  xs.forEach((x, i) => {
    const q = Math.min(cfg.levels - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * cfg.levels)));
    code = (code % mod) * cfg.levels + q;
    if (i + 1 < cfg.window) return;
    const h = (Math.imul(code | 0, 0x9e3779b1) ^ Math.floor(code / 4294967296)) >>> 0;
    const bit = h % (words * 32);
    bits[bit >>> 5]! |= 1 << (bit & 31);
  });
  return bits;
}

describe('contextual novelty', () => {
  it('finds a new context surprising once a series has settled, and a repeated one not', () => {
    const { n, s } = novelty(CONFIG);
    // A repeating cycle: after its first few contexts nothing is new, so the novel rate falls.
    const cycle = [0, 3, 7, 1, 5];
    for (let i = 0; i < 3000; i++) n.update(s, cycle[i % cycle.length]!, 0, 8);
    const fresh = [6, 6, 6, 6].map((x) => n.update(s, x, 0, 8));
    assert.ok(fresh[3]! > 2, `a context never seen scores high (${fresh[3]})`);
    const again = [0, 3, 7, 1, 6, 6, 6, 6].map((x) => n.update(s, x, 0, 8));
    assert.equal(again[7], 0, 'the same context again is not new');
  });

  it('fills the same bits as the unsigned-modulo hash, with power-of-two sizes and others', () => {
    for (const [levels, bits] of [[8, 2048], [8, 96], [5, 2048], [5, 96]] as const) {
      const cfg = { ...CONFIG, levels, bits };
      const { n, s } = novelty(cfg);
      const rand = mulberry32(levels * bits);
      const xs = Array.from({ length: 5000 }, () => rand() * 100);
      for (const x of xs) n.update(s, x, 0, 100);
      const want = referenceBits(cfg, xs, 0, 100);
      const got = Array.from(s.subarray(n.memoryAt, n.memoryAt + n.words), (w) => w >>> 0);
      assert.deepEqual(got, Array.from(want), `${levels} levels, ${bits} bits`);
    }
  });
});
