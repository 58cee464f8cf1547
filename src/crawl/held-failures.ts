/**
 * The failed records of a checking crawl, held until it ends (SPEC §9): a record, once written, cannot
 * change, and a page linking to a failed URL may turn up at any time, so failures come out last, each
 * with its complete `linkedFrom`. They wait as NDJSON lines in a temporary file (1 MiB of them in memory
 * at most) with their keys' 64-bit hashes beside them (8 bytes each), and are released in batches: one
 * pass over the referrer log per batch, each line parsed only as it is released, so that a burst of
 * 200,000 failures at the end of a crawl leaves little for the garbage collector to promote.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { LINKED_FROM_BATCH, LINKED_FROM_MAX_URLS } from "../limits.js";
import type { LinkedFrom, TrawlRecord } from "../record.js";
import { hash64 } from "../urls/hash.js";
import type { ReferrerLog } from "./referrers.js";

const BUFFER_CHARS = 1 << 20;
const READ_BYTES = 64 * 1024;

/** The record with `linkedFrom`, placed before `error` as TrawlRecord orders its keys. */
export function withLinkedFrom(record: TrawlRecord, linkedFrom: LinkedFrom): TrawlRecord {
  const { error, ...rest } = record;
  return { ...rest, linkedFrom, error };
}

export class HeldFailures {
  private pending = "";
  private folder: string | null = null;
  private fd: number | null = null;
  private highs = new Uint32Array(1024);
  private lows = new Uint32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  hold(record: TrawlRecord): void {
    if (this.count === this.highs.length) {
      const highs = new Uint32Array(this.count * 2);
      const lows = new Uint32Array(this.count * 2);
      highs.set(this.highs);
      lows.set(this.lows);
      this.highs = highs;
      this.lows = lows;
    }
    const [high, low] = hash64(record.url);
    this.highs[this.count] = high;
    this.lows[this.count] = low;
    this.count++;
    this.pending += `${JSON.stringify(record)}\n`;
    if (this.pending.length >= BUFFER_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending === "") return;
    if (this.fd === null) {
      this.folder = mkdtempSync(path.join(tmpdir(), "trawl-failures-"));
      this.fd = openSync(path.join(this.folder, "held.ndjson"), "w+");
    }
    writeSync(this.fd, this.pending);
    this.pending = "";
  }

  /** The held lines in order: from the file when some were written out, then what is still in memory. */
  private *lines(): Generator<string> {
    if (this.fd !== null) {
      // Read in small pieces: the lines of a piece are slices of its text, which lives as long as they
      // do, and a short-lived piece dies young instead of being promoted with the rest of the burst.
      const buffer = Buffer.allocUnsafe(READ_BYTES);
      const decoder = new StringDecoder("utf8");
      let rest = "";
      for (let position = 0; ; ) {
        const read = readSync(this.fd, buffer, 0, buffer.length, position);
        if (read === 0) break;
        position += read;
        const text = rest + decoder.write(buffer.subarray(0, read));
        const lines = text.split("\n");
        rest = lines.pop() as string;
        yield* lines;
      }
    }
    const lines = this.pending.split("\n");
    lines.pop();
    this.pending = "";
    yield* lines;
  }

  /** The held records, in the order they were held, each with the pages of `log` that link to it. */
  *release(log: ReferrerLog, batch = LINKED_FROM_BATCH): Generator<TrawlRecord> {
    const lines = this.lines();
    for (let from = 0; from < this.count; from += batch) {
      const to = Math.min(this.count, from + batch);
      const lists = log.referrers(this.highs.subarray(from, to), this.lows.subarray(from, to), LINKED_FROM_MAX_URLS);
      for (const linkedFrom of lists) yield withLinkedFrom(JSON.parse(lines.next().value as string) as TrawlRecord, linkedFrom);
    }
    this.count = 0;
  }

  /** Removes the file. */
  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.folder !== null) rmSync(this.folder, { recursive: true, force: true });
    this.folder = null;
    this.pending = "";
  }
}
