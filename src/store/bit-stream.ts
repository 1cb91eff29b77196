/**
 * Bit-level writer and reader over a Uint8Array, most significant bit first.
 *
 * Both keep a small accumulator (fewer than 32 bits) and move whole bytes in and out,
 * because JS bitwise operators work on 32-bit integers. The primitives take at most 32
 * bits; `writeWide`/`readWide` carry up to 53 bits (the safe-integer range) in two parts.
 */

const TWO_32 = 4294967296;

export class BitWriter {
  private buf: Uint8Array;
  private pos = 0;
  /** Pending bits, right-aligned; fewer than 8 between calls. */
  private acc = 0;
  private accBits = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Forgets everything written, keeping the buffer for reuse. */
  reset(): void {
    this.pos = 0;
    this.acc = 0;
    this.accBits = 0;
  }

  get bitLength(): number {
    return this.pos * 8 + this.accBits;
  }

  writeBit(b: number): void {
    this.acc = (this.acc << 1) | (b & 1);
    if (++this.accBits === 8) {
      if (this.pos >= this.buf.length) this.grow();
      this.buf[this.pos++] = this.acc;
      this.acc = 0;
      this.accBits = 0;
    }
  }

  /** Writes the low `n` bits of `v` (0 <= n <= 32). */
  writeBits(v: number, n: number): void {
    if (n > 24) {
      this.writeBits(v >>> 16, n - 16);
      this.writeBits(v & 0xffff, 16);
      return;
    }
    // accBits <= 7 and n <= 24: the accumulator stays within 31 bits.
    let acc = (this.acc << n) | (v & ((1 << n) - 1));
    let bits = this.accBits + n;
    if (bits >= 8) {
      if (this.pos + 4 > this.buf.length) this.grow();
      const buf = this.buf;
      while (bits >= 8) {
        bits -= 8;
        buf[this.pos++] = acc >>> bits;
      }
      acc &= (1 << bits) - 1;
    }
    this.acc = acc;
    this.accBits = bits;
  }

  /** Writes the low `n` bits (n <= 53) of a non-negative safe integer. */
  writeWide(v: number, n: number): void {
    if (n <= 32) {
      this.writeBits(v >>> 0, n);
      return;
    }
    const hi = Math.floor(v / TWO_32);
    this.writeBits(hi, n - 32);
    this.writeBits((v - hi * TWO_32) >>> 0, 32);
  }

  /** Unsigned LEB128-style varint (7 bits per group), for safe integers >= 0. */
  writeVarint(v: number): void {
    while (v >= 0x80) {
      const hi = Math.floor(v / 0x80);
      this.writeBits(0x80 | (v - hi * 0x80), 8);
      v = hi;
    }
    this.writeBits(v, 8);
  }

  /** Sign bit then magnitude varint: covers the whole safe-integer range, unlike zigzag. */
  writeSignedVarint(v: number): void {
    this.writeBit(v < 0 ? 1 : 0);
    this.writeVarint(Math.abs(v));
  }

  /** A copy of the written bytes, the last one padded with zero bits. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos + (this.accBits > 0 ? 1 : 0));
    out.set(this.buf.subarray(0, this.pos));
    if (this.accBits > 0) out[this.pos] = this.acc << (8 - this.accBits);
    return out;
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
}

export class BitReader {
  private pos = 0;
  /** Buffered bits, right-aligned; fewer than 32. */
  private acc = 0;
  private accBits = 0;

  constructor(private readonly buf: Uint8Array) {}

  readBit(): number {
    if (this.accBits === 0) {
      if (this.pos >= this.buf.length) throw new RangeError('chunk truncated');
      this.acc = this.buf[this.pos++]!;
      this.accBits = 8;
    }
    this.accBits--;
    return (this.acc >>> this.accBits) & 1;
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned integer. */
  readBits(n: number): number {
    if (n > 24) {
      const hi = this.readBits(n - 16);
      return hi * 65536 + this.readBits(16);
    }
    let acc = this.acc;
    let bits = this.accBits;
    if (bits < n) {
      const buf = this.buf;
      // bits < n <= 24, so after each byte the accumulator holds at most 31 bits.
      while (bits < n) {
        if (this.pos >= buf.length) throw new RangeError('chunk truncated');
        acc = ((acc << 8) | buf[this.pos++]!) >>> 0;
        bits += 8;
      }
    }
    bits -= n;
    const v = (acc >>> bits) & ((1 << n) - 1);
    this.acc = acc & ((1 << bits) - 1);
    this.accBits = bits;
    return v;
  }

  /** Reads up to 3 one bits and the zero that ends them (none after 3 ones); returns how many ones. */
  readUnary3(): number {
    if (this.accBits < 3 && this.pos < this.buf.length) {
      this.acc = ((this.acc << 8) | this.buf[this.pos++]!) >>> 0;
      this.accBits += 8;
    }
    if (this.accBits < 3) {
      let ones = 0;
      while (ones < 3 && this.readBit() === 1) ones++;
      return ones;
    }
    const top = (this.acc >>> (this.accBits - 3)) & 7;
    // 0xx -> 0 (1 bit), 10x -> 1 (2 bits), 110 -> 2 (3 bits), 111 -> 3 (3 bits).
    const ones = top < 4 ? 0 : top < 6 ? 1 : top === 6 ? 2 : 3;
    const used = ones === 3 ? 3 : ones + 1;
    this.accBits -= used;
    this.acc &= (1 << this.accBits) - 1;
    return ones;
  }

  readWide(n: number): number {
    if (n <= 32) return this.readBits(n);
    const hi = this.readBits(n - 32);
    return hi * TWO_32 + this.readBits(32);
  }

  readVarint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.readBits(8);
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
    throw new RangeError('varint too long');
  }

  readSignedVarint(): number {
    const neg = this.readBit();
    const m = this.readVarint();
    return neg ? -m : m;
  }
}
