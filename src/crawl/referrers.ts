/**
 * Which pages link to which URLs, for `linkedFrom` (SPEC §9), in bounded memory however large the
 * crawl: each page whose links were read appends one entry to a temporary file (its URL, then the
 * 64-bit hashes of the URLs it links to), and at the end of the crawl one pass over the file per
 * batch of failed URLs finds their referrers. Nothing per link stays in memory during the crawl.
 *
 * Entry: u32 URL length in bytes, the URL (UTF-8), u32 count, count × (u32 high, u32 low).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LinkedFrom } from "../record.js";
import { hash64 } from "../urls/hash.js";

const BUFFER_BYTES = 1 << 20;

export class ReferrerLog {
  private folder: string | null = null;
  private fd: number | null = null;
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  /** Notes that `page` links to each of `targets` (each once: the caller dedupes a page's links). */
  add(page: string, targets: readonly string[]): void {
    if (targets.length === 0) return;
    const urlBytes = Buffer.byteLength(page);
    const size = 8 + urlBytes + 8 * targets.length;
    if (this.used + size > this.buffer.length) this.flush();
    // A page with more links than the buffer holds (100,000 links are 800 KB) gets a buffer its size.
    if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(size);
    const buffer = this.buffer;
    let at = this.used;
    buffer.writeUInt32LE(urlBytes, at);
    buffer.write(page, at + 4, "utf8");
    at += 4 + urlBytes;
    buffer.writeUInt32LE(targets.length, at);
    at += 4;
    for (const target of targets) {
      const [high, low] = hash64(target);
      buffer.writeUInt32LE(high, at);
      buffer.writeUInt32LE(low, at + 4);
      at += 8;
    }
    this.used = at;
  }

  private flush(): void {
    if (this.used === 0) return;
    if (this.fd === null) {
      this.folder = mkdtempSync(path.join(tmpdir(), "trawl-referrers-"));
      this.fd = openSync(path.join(this.folder, "links"), "w+");
    }
    let written = 0;
    while (written < this.used) written += writeSync(this.fd, this.buffer, written, this.used - written);
    this.used = 0;
  }

  /**
   * The referrers of the URLs whose hashes are `highs[i], lows[i]`: the first `maxUrls` pages in the
   * order they were read, and how many more. One pass over the log; memory is the batch's lists.
   */
  referrers(highs: Uint32Array, lows: Uint32Array, maxUrls: number): LinkedFrom[] {
    const count = highs.length;
    const counts = new Uint32Array(count);
    // Made only for keys that have a referrer: most batches of failures name few pages.
    const urls: (string[] | undefined)[] = new Array(count);
    const index = new HashIndex(highs, lows);
    this.flush();
    if (this.fd !== null) {
      for (const entry of readEntries(this.fd)) {
        let page: string | null = null;
        for (let at = entry.targets; at < entry.end; at += 8) {
          const found = index.find(entry.buffer.readUInt32LE(at), entry.buffer.readUInt32LE(at + 4));
          if (found === -1) continue;
          for (let i = found; i !== -1; i = index.next(i)) {
            counts[i] = (counts[i] as number) + 1;
            if ((counts[i] as number) > maxUrls) continue;
            page ??= entry.buffer.toString("utf8", entry.url, entry.url + entry.urlBytes);
            const list = urls[i];
            if (list === undefined) urls[i] = [page];
            else list.push(page);
          }
        }
      }
    }
    const result: LinkedFrom[] = [];
    for (let i = 0; i < count; i++) {
      const list = urls[i] ?? [];
      result.push({ urls: list, more: (counts[i] as number) - list.length });
    }
    return result;
  }

  /** Removes the file. */
  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.folder !== null) rmSync(this.folder, { recursive: true, force: true });
    this.folder = null;
    this.used = 0;
  }
}

/** One entry of the log, as offsets into the reading buffer (valid until the next entry). */
interface Entry {
  buffer: Buffer;
  url: number;
  urlBytes: number;
  targets: number;
  end: number;
}

/** The entries of the log, read from the start in chunks (an entry larger than a chunk grows the buffer). */
function* readEntries(fd: number): Generator<Entry> {
  let buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let start = 0;
  let end = 0;
  let position = 0;
  // Makes `need` bytes available from `start`; false at the end of the file.
  const fill = (need: number): boolean => {
    if (end - start >= need) return true;
    if (start > 0) {
      buffer.copy(buffer, 0, start, end);
      end -= start;
      start = 0;
    }
    if (need > buffer.length) {
      const larger = Buffer.allocUnsafe(need);
      buffer.copy(larger, 0, 0, end);
      buffer = larger;
    }
    while (end < need) {
      const read = readSync(fd, buffer, end, buffer.length - end, position);
      if (read === 0) return false;
      end += read;
      position += read;
    }
    return true;
  };
  while (fill(4)) {
    const urlBytes = buffer.readUInt32LE(start);
    if (!fill(8 + urlBytes)) return;
    const count = buffer.readUInt32LE(start + 4 + urlBytes);
    const size = 8 + urlBytes + 8 * count;
    if (!fill(size)) return;
    yield { buffer, url: start + 4, urlBytes, targets: start + 8 + urlBytes, end: start + size };
    start += size;
  }
}

/**
 * An open-addressing index from 64-bit hashes to their positions in the batch (typed arrays, no
 * object per key). Two failed records with one key (rare: the same URL twice) are chained.
 */
class HashIndex {
  private readonly slots: Int32Array;
  private readonly chain: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly highs: Uint32Array,
    private readonly lows: Uint32Array,
  ) {
    let size = 16;
    while (size < highs.length * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.chain = new Int32Array(highs.length).fill(-1);
    this.mask = size - 1;
    for (let i = 0; i < highs.length; i++) {
      const high = highs[i] as number;
      const low = lows[i] as number;
      let slot = (low ^ high) & this.mask;
      for (;;) {
        const held = this.slots[slot] as number;
        if (held === -1) {
          this.slots[slot] = i;
          break;
        }
        if (highs[held] === high && lows[held] === low) {
          // Same key: appended to the chain of the first.
          let last = held;
          while ((this.chain[last] as number) !== -1) last = this.chain[last] as number;
          this.chain[last] = i;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
  }

  /** The first position holding this hash, or -1. */
  find(high: number, low: number): number {
    for (let slot = (low ^ high) & this.mask; ; slot = (slot + 1) & this.mask) {
      const held = this.slots[slot] as number;
      if (held === -1) return -1;
      if (this.highs[held] === high && this.lows[held] === low) return held;
    }
  }

  /** The next position with the same hash as `i`, or -1. */
  next(i: number): number {
    return this.chain[i] as number;
  }
}
