import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlink, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { FsyncPolicy } from './types.js';

/**
 * Write-ahead log: what makes an acknowledged append survive kill -9.
 *
 * Every append call ends in ONE write(2) of a pre-encoded buffer to the current
 * segment file (dir/wal/NNNNNNNN.wal) before it returns. Once write(2) returns, the
 * bytes are in the kernel's page cache, which outlives the process: kill -9, a
 * crash or an OOM kill lose nothing. Only losing the machine (power, kernel panic)
 * can lose page-cache data, and that is what the fsync policy is about:
 *
 *   always    fdatasync after every write, before the append returns. Survives power
 *             loss; costs one disk flush per append call (batch your writes).
 *   interval  (default) fdatasync at most every fsyncIntervalMs (default 1000 ms) from an
 *             unref'd timer, on the thread pool, and when a segment is closed. Power loss may lose up to
 *             that interval; kill -9 loses nothing.
 *   never     no fdatasync; the kernel writes back when it likes (about 30 s on Linux).
 *
 * New segment files are followed by an fsync of the directory (except with `never`),
 * so the file itself survives power loss too. The interval timer runs on the event loop,
 * so a long synchronous burst of appends defers it (closing a segment still syncs).
 *
 * Lifecycle: a segment is closed past walSegmentBytes, and at every checkpoint. A
 * checkpoint seals every sample of the head into SQLite and records, in the same SQLite
 * transaction, the number of the segment it is about to open; the older segments are then
 * deleted. At open, segments below the recorded number are deleted unread (the process died
 * between commit and deletion) and the others are replayed into the head, in order.
 *
 * Record format (native byte order, every record 8-byte aligned so sample arrays can be
 * viewed in place without copying):
 *   u32 bodyLength (multiple of 8), u32 crc32(body), body
 *   body SERIES:  u32 type=1, u32 ref, u32 jsonLength, utf-8 JSON labels, zero padding
 *   body SAMPLES: u32 type=2, u32 count, u32 refs[count], padding to 8,
 *                 f64 timestamps[count], f64 values[count]
 * Replay stops at the first record whose length or CRC does not check out: a torn tail
 * from a write cut short by a crash. Such a record was never acknowledged, because the
 * write(2) that carried it did not complete before the process died.
 */

const REC_SERIES = 1;
const REC_SAMPLES = 2;
const HEADER = 8;
const SEGMENT_RE = /^(\d{8,})\.wal$/;
const NO_REFS = new Uint32Array(0);
const NO_FLOATS = new Float64Array(0);

export function segmentName(n: number): string {
  return String(n).padStart(8, '0') + '.wal';
}

/**
 * Deletes a segment a checkpoint covers, now; one already gone is fine. The background
 * deletion after a checkpoint (deleteSegmentsBefore) may still be under way when the
 * store is opened again in the same process, and remove the file between the listing
 * and this call.
 */
export function deleteSegmentIfPresent(dir: string, n: number): void {
  try {
    unlinkSync(join(dir, segmentName(n)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Segment numbers present in dir, ascending. */
export function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of names) {
    const m = SEGMENT_RE.exec(name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

export interface WalOptions {
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** Start a new segment once the current one passes this size. */
  segmentBytes: number;
}

export class WalWriter {
  private fd = -1;
  private seg: number;
  private segBytes = 0;
  /** Bytes written since the last checkpoint (all live segments). */
  private liveBytes = 0;
  private unsynced = false;
  /** A background fdatasync is running. */
  private syncing = false;
  private broken: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ab = new ArrayBuffer(1 << 16);
  private u8 = new Uint8Array(this.ab);
  private u32 = new Uint32Array(this.ab);
  private f64 = new Float64Array(this.ab);
  /** Encoded SERIES records not yet written: they go out with the next samples. */
  private pending = 0;
  private readonly encoder = new TextEncoder();

  constructor(
    readonly dir: string,
    firstSegment: number,
    private readonly opts: WalOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    this.seg = firstSegment;
    this.openSegment();
    if (opts.fsync === 'interval') {
      this.timer = setInterval(() => this.syncInBackground(), opts.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  get segment(): number {
    return this.seg;
  }

  /** Bytes written since the last rotate() for a checkpoint. */
  get bytesSinceCheckpoint(): number {
    return this.liveBytes;
  }

  /** Queues a SERIES record; it is written ahead of the next samples, in the same write(2). */
  addSeries(ref: number, labelsJson: string): void {
    const maxBytes = labelsJson.length * 3;
    this.ensure(this.pending + HEADER + 16 + maxBytes);
    const body = this.pending + HEADER;
    const { written } = this.encoder.encodeInto(labelsJson, this.u8.subarray(body + 12, body + 12 + maxBytes));
    const bodyLen = align8(12 + written);
    this.u8.fill(0, body + 12 + written, body + bodyLen);
    this.u32[body / 4] = REC_SERIES;
    this.u32[body / 4 + 1] = ref;
    this.u32[body / 4 + 2] = written;
    this.finishRecord(this.pending, bodyLen);
    this.pending += HEADER + bodyLen;
  }

  /**
   * Writes queued series and samples [0, n) with one write(2), then syncs per policy.
   * Nothing is written when there is nothing to say.
   */
  appendSamples(refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number): void {
    let end = this.pending;
    if (n > 0) {
      const refBytes = align8(4 * n);
      const bodyLen = 8 + refBytes + 16 * n;
      this.ensure(end + HEADER + bodyLen);
      const body = end + HEADER;
      this.u32[body / 4] = REC_SAMPLES;
      this.u32[body / 4 + 1] = n;
      this.u32.set(refs.subarray(0, n), body / 4 + 2);
      if (n % 2 === 1) this.u32[body / 4 + 2 + n] = 0;
      const tOff = (body + 8 + refBytes) / 8;
      this.f64.set(ts.subarray(0, n), tOff);
      this.f64.set(vs.subarray(0, n), tOff + n);
      this.finishRecord(end, bodyLen);
      end += HEADER + bodyLen;
    }
    if (end === 0) return;
    this.writeAll(end);
    this.pending = 0;
    if (this.opts.fsync === 'always') fdatasyncSync(this.fd);
    else if (this.opts.fsync === 'interval') this.unsynced = true;
    if (this.segBytes >= this.opts.segmentBytes) this.nextSegment();
  }

  /** Flushes queued SERIES records on their own. */
  flush(): void {
    this.appendSamples(NO_REFS, NO_FLOATS, NO_FLOATS, 0);
  }

  sync(): void {
    if (this.fd >= 0 && this.unsynced) {
      fdatasyncSync(this.fd);
      this.unsynced = false;
    }
  }

  /**
   * The interval policy's fdatasync, on libuv's thread pool: flushing a second of WAL can
   * take tens of milliseconds on a real disk, which would otherwise stall every request.
   * Closing a segment still syncs synchronously. A failed fdatasync means written pages
   * may be lost (and Linux forgets the error once reported), so the WAL refuses further
   * writes, as a failed write does.
   */
  private syncInBackground(): void {
    if (this.fd < 0 || !this.unsynced || this.syncing) return;
    this.unsynced = false;
    this.syncing = true;
    const fd = this.fd;
    fdatasync(fd, (err) => {
      this.syncing = false;
      // After a rotation the descriptor is closed (its segment was synced on closing).
      if (err && fd === this.fd) this.broken ??= err;
    });
  }

  /** Starts a new segment for a checkpoint; returns its number. Older segments can go once the checkpoint is durable. */
  rotate(): number {
    this.nextSegment();
    this.liveBytes = 0;
    return this.seg;
  }

  /**
   * Deletes segments numbered below `n`, in the background: a checkpoint has just made
   * them redundant, and unlinking a few 64 MiB files is time that ingestion need not
   * wait for. One left behind by a crash is deleted at the next open.
   */
  deleteSegmentsBefore(n: number): void {
    for (const s of listSegments(this.dir)) {
      if (s >= n) continue;
      unlink(join(this.dir, segmentName(s)), (err) => {
        if (err && err.code !== 'ENOENT') process.emitWarning(`vigil store: could not delete WAL segment ${segmentName(s)}: ${err.message}`);
      });
    }
  }

  /** Bytes of every segment file in the directory. */
  diskBytes(): number {
    let total = 0;
    for (const s of listSegments(this.dir)) {
      try {
        total += statSync(join(this.dir, segmentName(s))).size;
      } catch {
        // deleted meanwhile
      }
    }
    return total;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd >= 0) {
      if (this.pending > 0) this.flush();
      if (this.opts.fsync !== 'never') this.unsynced = true;
      this.sync();
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  /** Closes the file as a killed process would: no flush of queued records, no fsync. */
  abandon(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private nextSegment(): void {
    if (this.opts.fsync !== 'never') this.unsynced = true;
    this.sync();
    closeSync(this.fd);
    this.seg++;
    this.openSegment();
  }

  private openSegment(): void {
    // 'a' never truncates: reopening a number that exists (it should not) keeps its records.
    this.fd = openSync(join(this.dir, segmentName(this.seg)), 'a');
    this.segBytes = fstatSync(this.fd).size;
    if (this.opts.fsync !== 'never') syncDir(this.dir);
  }

  private writeAll(len: number): void {
    if (this.broken) throw this.broken;
    let off = 0;
    try {
      while (off < len) off += writeSync(this.fd, this.u8, off, len - off);
    } catch (e) {
      // A partial record followed by good ones would hide them at replay (it stops at the
      // first bad record), so cut it off; if even that fails, refuse further writes.
      try {
        if (off > 0) ftruncateSync(this.fd, this.segBytes);
      } catch (e2) {
        this.broken = e2 as Error;
      }
      throw e;
    }
    this.segBytes += len;
    this.liveBytes += len;
  }

  private finishRecord(at: number, bodyLen: number): void {
    this.u32[at / 4] = bodyLen;
    this.u32[at / 4 + 1] = crc32(this.u8.subarray(at + HEADER, at + HEADER + bodyLen));
  }

  private ensure(bytes: number): void {
    if (bytes <= this.ab.byteLength) return;
    let size = this.ab.byteLength;
    while (size < bytes) size *= 2;
    const ab = new ArrayBuffer(size);
    new Uint8Array(ab).set(this.u8);
    this.ab = ab;
    this.u8 = new Uint8Array(ab);
    this.u32 = new Uint32Array(ab);
    this.f64 = new Float64Array(ab);
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the segment's own data is still synced.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export interface WalVisitor {
  series(ref: number, labelsJson: string): void;
  /** Views into the segment buffer, valid only during the call. */
  samples(refs: Uint32Array, ts: Float64Array, vs: Float64Array): void;
}

export interface SegmentReplay {
  records: number;
  /** Bytes after the last valid record (a torn tail), ignored. */
  ignoredBytes: number;
}

/** Replays one segment file through the visitor, stopping at a torn or corrupt record. */
export function replaySegment(path: string, visit: WalVisitor): SegmentReplay {
  const fd = openSync(path, 'r');
  let buf: Uint8Array;
  try {
    const size = fstatSync(fd).size;
    // A fresh Uint8Array starts 8-aligned, so the f64 arrays can be viewed in place.
    buf = new Uint8Array(align8(size));
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    buf = buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
  const u32 = new Uint32Array(buf.buffer, 0, buf.buffer.byteLength >>> 2);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let at = 0;
  let records = 0;
  while (at + HEADER <= buf.length) {
    const bodyLen = u32[at / 4]!;
    const crc = u32[at / 4 + 1]!;
    const body = at + HEADER;
    if (bodyLen < 8 || bodyLen % 8 !== 0 || body + bodyLen > buf.length) break;
    if (crc32(buf.subarray(body, body + bodyLen)) !== crc) break;
    const type = u32[body / 4]!;
    if (type === REC_SERIES) {
      const ref = u32[body / 4 + 1]!;
      const len = u32[body / 4 + 2]!;
      if (12 + len > bodyLen) break;
      let json: string;
      try {
        json = decoder.decode(buf.subarray(body + 12, body + 12 + len));
      } catch {
        break;
      }
      visit.series(ref, json);
    } else if (type === REC_SAMPLES) {
      const n = u32[body / 4 + 1]!;
      const refBytes = align8(4 * n);
      if (8 + refBytes + 16 * n !== bodyLen) break;
      const tOff = body + 8 + refBytes;
      visit.samples(
        new Uint32Array(buf.buffer, body + 8, n),
        new Float64Array(buf.buffer, tOff, n),
        new Float64Array(buf.buffer, tOff + 8 * n, n),
      );
    } else break;
    records++;
    at = body + bodyLen;
  }
  return { records, ignoredBytes: buf.length - at };
}
