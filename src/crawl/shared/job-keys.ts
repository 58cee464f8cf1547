import { UsageError } from "../../errors.js";
import { hash64 } from "../../urls/hash.js";

/**
 * Where a job lives in Redis: every key under `trawl:{<job>}:`, so two jobs never touch each
 * other's keys, and the braces (a Redis Cluster hash tag) keep one job's keys in one slot, which
 * the Lua scripts that touch several of them at once need.
 */

// Letters, digits, dot, dash and underscore: no glob characters (the removal scans `prefix*`) and
// no braces (they would end the hash tag early).
const JOB_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** Bits of the 64-bit URL hash that pick a seen-set bucket: 2^16 buckets. */
export const SEEN_BUCKET_BITS = 16;

/** Checks a job name; a bad one is a UsageError about the `job` option. */
export function validateJobName(job: string): string {
  if (!JOB_NAME.test(job)) {
    throw new UsageError(`job must be 1 to 128 letters, digits, '.', '_' or '-', got \`${job}\``, { option: "job" });
  }
  return job;
}

/** The key names of one job. */
export class JobKeys {
  readonly prefix: string;
  /** The job's settings as first opened: `{"config": …, "maxPages": …}`. */
  readonly config: string;
  /** A random id written when the job is created: scripts refuse to act for another generation. */
  readonly epoch: string;
  /** LIST of entry JSON waiting to be claimed, oldest first. */
  readonly queue: string;
  /** HASH token → entry JSON of the claimed entries. */
  readonly leased: string;
  /** ZSET token → lease expiry (Redis server time, ms). */
  readonly leases: string;
  /** The fencing token counter (INCR). */
  readonly token: string;
  /** HASH of counters: offered, committed, failed, reclaimed. */
  readonly counts: string;
  /** STREAM of committed records, field `record`. */
  readonly records: string;
  /** ZSET worker id → live until (ms). */
  readonly workers: string;
  /** HASH origin → robots.txt text. */
  readonly robots: string;
  /** HASH of the exporter's progress: cursor (last exported stream id) and bytes (file length). */
  readonly export: string;
  readonly exportLock: string;

  constructor(job: string) {
    this.prefix = `trawl:{${validateJobName(job)}}:`;
    this.config = `${this.prefix}config`;
    this.epoch = `${this.prefix}epoch`;
    this.queue = `${this.prefix}queue`;
    this.leased = `${this.prefix}leased`;
    this.leases = `${this.prefix}leases`;
    this.token = `${this.prefix}token`;
    this.counts = `${this.prefix}counts`;
    this.records = `${this.prefix}records`;
    this.workers = `${this.prefix}workers`;
    this.robots = `${this.prefix}robots`;
    this.export = `${this.prefix}export`;
    this.exportLock = `${this.prefix}export-lock`;
  }

  /** Marks a committed token for a while, so a retried commit (reply lost) is known as done. */
  committed(token: number): string {
    return `${this.prefix}committed:${token}`;
  }

  /** ZSET holder → expiry of the fleet's slots on one host. */
  hostSlots(host: string): string {
    return `${this.prefix}host:${host}`;
  }

  /** The time (ms) before which the fleet starts no new request to one host. */
  hostPace(host: string): string {
    return `${this.prefix}pace:${host}`;
  }

  robotsLock(origin: string): string {
    return `${this.prefix}robots-lock:${origin}`;
  }

  /**
   * The seen-set bucket and member of a URL. The top 16 bits of its 64-bit hash pick one of 2^16
   * SETs; the other 48 bits are the member, a decimal integer, so Redis keeps each bucket as an
   * intset (8 bytes per member) while it holds at most `set-max-intset-entries` (512 by default:
   * about 25 million URLs over all buckets before some turn into larger hash tables).
   */
  seen(url: string): { key: string; member: string } {
    const [high, low] = hash64(url);
    const bucket = high >>> SEEN_BUCKET_BITS;
    // 16 + 32 bits: below 2^53, exact as a JS number.
    const member = (high & 0xffff) * 2 ** 32 + low;
    return { key: `${this.prefix}seen:${bucket}`, member: String(member) };
  }
}
