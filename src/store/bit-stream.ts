/**
 * Bit-level writer and reader over a Uint8Array, most significant bit first.
 *
 * JS bitwise operators work on 32 bits, so the primitives take at most 32 bits;
 * `writeWide`/`readWide` carry up to 53 bits (the safe-integer range) as two parts.
 */

const TWO_32 = 4294967296;

export class BitWriter {
  private buf: Uint8Array;
  /** Index of the byte being filled. */
  private byte = 0;
  /** Bits already used in that byte (0..7). */
  private bit = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Forgets everything written, keeping the buffer for reuse. */
  reset(): void {
    this.buf.fill(0, 0, this.byte + 1);
    this.byte = 0;
    this.bit = 0;
  }

  get bitLength(): number {
    return this.byte * 8 + this.bit;
  }

  get byteLength(): number {
    return this.byte + (this.bit > 0 ? 1 : 0);
  }

  writeBit(b: number): void {
    if (b) this.buf[this.byte]! |= 0x80 >>> this.bit;
    if (++this.bit === 8) this.nextByte();
  }

  /** Writes the low `n` bits of `v` (0 <= n <= 32). */
  writeBits(v: number, n: number): void {
    if (n < 32) v &= (1 << n) - 1;
    while (n > 0) {
      const free = 8 - this.bit;
      const take = n < free ? n : free;
      n -= take;
      // `>>> n` with n = 32 would be a no-op, but n < 32 here once a byte is taken.
      const part = (v >>> n) & ((1 << take) - 1);
      this.buf[this.byte]! |= part << (free - take);
      this.bit += take;
      if (this.bit === 8) this.nextByte();
    }
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
      this.writeBits(0x80 | (v % 0x80), 8);
      v = Math.floor(v / 0x80);
    }
    this.writeBits(v, 8);
  }

  /** Sign bit then magnitude varint: covers the whole safe-integer range, unlike zigzag. */
  writeSignedVarint(v: number): void {
    this.writeBit(v < 0 ? 1 : 0);
    this.writeVarint(Math.abs(v));
  }

  /** A copy of the written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.byteLength);
  }

  private nextByte(): void {
    this.byte++;
    this.bit = 0;
    if (this.byte >= this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
  }
}

export class BitReader {
  private byte = 0;
  private bit = 0;

  constructor(private readonly buf: Uint8Array) {}

  get bitPosition(): number {
    return this.byte * 8 + this.bit;
  }

  readBit(): number {
    if (this.byte >= this.buf.length) throw new RangeError('chunk truncated');
    const b = (this.buf[this.byte]! >>> (7 - this.bit)) & 1;
    if (++this.bit === 8) {
      this.bit = 0;
      this.byte++;
    }
    return b;
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned integer. */
  readBits(n: number): number {
    let v = 0;
    while (n > 0) {
      if (this.byte >= this.buf.length) throw new RangeError('chunk truncated');
      const avail = 8 - this.bit;
      const take = n < avail ? n : avail;
      const part = (this.buf[this.byte]! >>> (avail - take)) & ((1 << take) - 1);
      // Multiply rather than shift: a 32-bit result must stay unsigned.
      v = v * (1 << take) + part;
      n -= take;
      this.bit += take;
      if (this.bit === 8) {
        this.bit = 0;
        this.byte++;
      }
    }
    return v;
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
