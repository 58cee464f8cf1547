/**
 * The failed records of a checking crawl, held until it ends (SPEC §9): a record, once written, cannot
 * change, and a page linking to a failed URL may turn up at any time, so failures come out last, each
 * with its complete `linkedFrom`. They wait in a spill queue (a few thousand in memory, the rest in
 * temporary files) with their keys' 64-bit hashes beside them (8 bytes each), and are released in
 * batches: one pass over the referrer log per batch.
 */
import { HELD_FAILURES_CHUNK, LINKED_FROM_BATCH, LINKED_FROM_MAX_URLS } from "../limits.js";
import type { LinkedFrom, TrawlRecord } from "../record.js";
import { hash64 } from "../urls/hash.js";
import type { ReferrerLog } from "./referrers.js";
import { SpillQueue } from "./spill-queue.js";

/** The record with `linkedFrom`, placed before `error` as TrawlRecord orders its keys. */
export function withLinkedFrom(record: TrawlRecord, linkedFrom: LinkedFrom): TrawlRecord {
  const { error, ...rest } = record;
  return { ...rest, linkedFrom, error };
}

export class HeldFailures {
  private readonly queue = new SpillQueue<TrawlRecord>(HELD_FAILURES_CHUNK);
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
    this.queue.push(record);
  }

  /** The held records, in the order they were held, each with the pages of `log` that link to it. */
  *release(log: ReferrerLog, batch = LINKED_FROM_BATCH): Generator<TrawlRecord> {
    for (let from = 0; from < this.count; from += batch) {
      const to = Math.min(this.count, from + batch);
      const lists = log.referrers(this.highs.subarray(from, to), this.lows.subarray(from, to), LINKED_FROM_MAX_URLS);
      for (const linkedFrom of lists) yield withLinkedFrom(this.queue.shift() as TrawlRecord, linkedFrom);
    }
    this.count = 0;
  }

  dispose(): void {
    this.queue.dispose();
  }
}
