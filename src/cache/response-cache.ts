import { closeSync } from "node:fs";
import { optionError } from "../errors.js";
import type { TrawlRecord } from "../record.js";
import { hash64 } from "../urls/hash.js";
import { compactCache, writeAll } from "./compact.js";
import { DEFAULT_CACHE_MAX_AGE_MS } from "./defaults.js";
import type { EntryTable } from "./entry-table.js";
import { type CachedPage, type EntryMeta, entryFrame, parsePage, readEntry, type StoredEntry } from "./entry.js";
import { encodeFrame, encodeSeenPayload, FrameKind } from "./frame.js";
import { type LoadedCache, loadCache } from "./load.js";
import { type CacheLock, lockCacheFile } from "./lock.js";
import { type ConditionalHeaders, conditionalHeaders, type HeaderFields, revalidatedPolicy, storablePolicy } from "./validators.js";

export { DEFAULT_CACHE_MAX_AGE_MS };
// Entries up to this size are read into one buffer of the cache's; a page's record is a few KB, and
// each buffer of its own (past Node's 4 KB pool) would be an allocation the GC must account for.
const READ_BUFFER_BYTES = 256 * 1024;
// Touches are written in batches of this many URLs (8 bytes each); a crash loses at most one batch,
// which only makes those entries look older than they are.
const SEEN_BATCH = 4096;

export interface ResponseCacheOptions {
  /**
   * Entries not stored, revalidated or touched for this long are dropped when the file is opened.
   * @default 30 days
   */
  maxAgeMs?: number;
  /** The time of this run, in ms since the epoch: what `store`, `touch` and hits stamp entries with. @default Date.now() */
  now?: number;
}

/** What `store` is given: a response and what trawl made of it. */
export interface ResponseToStore {
  /** The final response's status; only 2xx is kept. */
  status: number;
  /** The final response's header fields, names lower-cased (undici's shape). */
  headers: HeaderFields;
  record: TrawlRecord;
  /** When crawling, the links the page led to (any JSON values, returned as given); null otherwise. @default null */
  links?: readonly unknown[] | null;
  /** The caller's digest of the settings that shape a record (selectors, recipe, …). */
  fingerprint: string;
  /** The URL that gave this response, after redirects. @default the URL stored under */
  finalUrl?: string;
  /** The request header fields sent for it: the ones the response varies on are compared next time. @default {} */
  requestHeaders?: HeaderFields;
}

/** The conditional request for a cached URL. */
export interface Revalidation {
  /** The URL to send the headers to: the URL that gave the stored response (after redirects). */
  url: string;
  headers: ConditionalHeaders;
}

/**
 * The store behind `--cache <file>` (SPEC §10): per URL, the validators of its last 2xx response,
 * the record it gave and its links, under a fingerprint of the settings. Memory holds only an
 * index (hash → file offset); entries are read from the file when asked for. All I/O is
 * synchronous: a lookup is one read of one entry from a file the OS keeps in its page cache.
 */
export class ResponseCache {
  private table: EntryTable;
  private end: number;
  private garbageBytes: number;
  private readonly seenBatch = new Uint32Array(SEEN_BATCH * 2);
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private seenCount = 0;
  private writeFailure: string | null = null;
  private closed = false;
  // The entry each revalidation was made from (and where it was in the file), so that judging its
  // 304 need not read the file again: a hit then costs one read of its entry, not two.
  private readonly revalidating = new WeakMap<Revalidation, { entry: StoredEntry; offset: number }>();

  private constructor(
    private readonly path: string,
    private readonly fd: number,
    loaded: LoadedCache,
    private readonly lock: CacheLock,
    private readonly nowSeconds: number,
  ) {
    this.table = loaded.table;
    this.end = loaded.end;
    this.garbageBytes = loaded.garbageBytes;
  }

  /**
   * Opens the cache file at `path`, creating it when missing. A damaged file, or one from another
   * format version, gives a `warning` for the user and what could be kept (a damaged tail is dropped,
   * another version's file starts afresh); a torn tail left by `kill -9` is dropped quietly. Throws
   * a UsageError naming `cache` when the file exists and is not a cache (it is left untouched), or
   * another process holds it, and naming `cacheMaxAgeMs` when that is not a duration > 0.
   */
  static open(path: string, options: ResponseCacheOptions = {}): { cache: ResponseCache; warning: string | null } {
    const maxAgeMs = options.maxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS;
    if (!(maxAgeMs > 0) || !Number.isFinite(maxAgeMs)) {
      throw optionError("cacheMaxAgeMs", `must be a duration > 0 in milliseconds, got ${maxAgeMs}`);
    }
    const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
    const settings = { nowSeconds, oldestSeconds: nowSeconds - Math.ceil(maxAgeMs / 1000) };
    const lock = lockCacheFile(path);
    try {
      let loaded = loadCache(path, settings);
      const warning = loaded.warning;
      // Garbage outweighing the live entries (superseded, expired, touches): rewrite, then index anew.
      if (loaded.garbageBytes > loaded.table.liveBytes) {
        compactCache(path, loaded.fd, loaded.end, loaded.table);
        closeSync(loaded.fd);
        loaded = loadCache(path, settings);
      }
      return { cache: new ResponseCache(path, loaded.fd, loaded, lock, nowSeconds), warning };
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Number of URLs cached. */
  get size(): number {
    return this.table.size;
  }

  /**
   * The conditional request for `url` when its entry was made under this fingerprint and its
   * varied request fields match `requestHeaders` (the fields about to be sent); null otherwise,
   * and then the request goes out plain.
   */
  revalidation(url: string, fingerprint: string, requestHeaders: HeaderFields = {}): Revalidation | null {
    const entry = this.read(url);
    if (entry === null || entry.meta.fingerprint !== fingerprint) return null;
    const headers = conditionalHeaders(entry.meta.policy, entry.meta.finalUrl, requestHeaders);
    if (headers === null) return null;
    const revalidation = { url: entry.meta.finalUrl, headers };
    this.revalidating.set(revalidation, { entry, offset: this.offsetOf(url) });
    return revalidation;
  }

  /**
   * Judges a 304 received for a request that carried `revalidation(url, …)`'s headers. When it
   * answers the stored entry, returns the stored record and links and marks the entry seen (new
   * validators in the 304 are kept). Null when it names another representation: the entry is
   * dropped, and the caller fetches the URL again without conditional headers. Given the
   * `revalidation` it answers, the entry read then is used, unless it has been replaced since.
   */
  revalidated(
    url: string,
    fingerprint: string,
    responseHeaders: HeaderFields,
    requestHeaders: HeaderFields = {},
    revalidation?: Revalidation,
  ): CachedPage | null {
    const earlier = revalidation === undefined ? undefined : this.revalidating.get(revalidation);
    const current = earlier !== undefined && earlier.entry.meta.url === url && earlier.offset === this.offsetOf(url);
    const entry = current ? earlier.entry : this.read(url);
    if (entry === null || entry.meta.fingerprint !== fingerprint) return null;
    const verdict = revalidatedPolicy(entry.meta.policy, entry.meta.finalUrl, requestHeaders, responseHeaders);
    const page = verdict === null ? null : parsePage(entry.bodyJson);
    if (verdict === null || page === null) {
      this.forget(url);
      return null;
    }
    if (verdict.validatorsChanged) {
      this.appendEntry(url, { ...entry.meta, policy: verdict.policy }, entry.bodyJson);
    } else {
      this.touch(url);
    }
    return page;
  }

  /**
   * Keeps a response's record and links for next time, when it may be kept (2xx with a validator,
   * not `no-store`, not `Vary: *`; see validators.ts); returns whether it was. A 2xx that may not be
   * kept drops the URL's earlier entry: the page has changed into something not cacheable. Other
   * statuses leave the earlier entry alone (a 503 says nothing about the page).
   */
  store(url: string, response: ResponseToStore): boolean {
    this.assertOpen();
    const finalUrl = response.finalUrl ?? url;
    const policy = storablePolicy(finalUrl, response.status, response.headers, response.requestHeaders ?? {});
    if (policy === null) {
      if (response.status >= 200 && response.status <= 299) this.forget(url);
      return false;
    }
    const meta: EntryMeta = { url, fingerprint: response.fingerprint, finalUrl, policy };
    const bodyJson = JSON.stringify({ record: response.record, links: response.links ?? null });
    return this.appendEntry(url, meta, bodyJson);
  }

  /** Marks `url`'s entry seen in this run (a URL skipped by resume, say), so it does not age out. */
  touch(url: string): void {
    this.assertOpen();
    const [high, low] = hash64(url);
    const slot = this.table.find(high, low);
    if (slot === -1 || this.table.seenAtOf(slot) >= this.nowSeconds) return;
    this.table.see(slot, this.nowSeconds);
    this.seenBatch[this.seenCount * 2] = high;
    this.seenBatch[this.seenCount * 2 + 1] = low;
    this.seenCount++;
    if (this.seenCount === SEEN_BATCH) this.flush();
  }

  /** Writes the touches still buffered. */
  flush(): void {
    this.assertOpen();
    if (this.seenCount === 0) return;
    const payload = encodeSeenPayload(this.seenBatch, this.seenCount);
    this.seenCount = 0;
    const frame = encodeFrame(FrameKind.seen, 0, 0, this.nowSeconds, payload);
    if (this.append(frame)) this.garbageBytes += frame.length;
  }

  /**
   * Flushes, compacts the file when its garbage outweighs its live entries, and lets the file go.
   * Returns a warning for the user when writing failed during the run (a full disk: the cache keeps
   * what was written before), else null.
   */
  close(): string | null {
    if (this.closed) return this.writeFailure;
    this.flush();
    this.closed = true;
    try {
      if (this.writeFailure === null && this.garbageBytes > this.table.liveBytes) {
        compactCache(this.path, this.fd, this.end, this.table);
      }
    } catch (error) {
      this.writeFailure ??= `cache file ${this.path} could not be compacted: ${(error as Error).message}`;
    } finally {
      closeSync(this.fd);
      this.lock.release();
    }
    return this.writeFailure;
  }

  /** Where `url`'s entry is in the file, or -1. */
  private offsetOf(url: string): number {
    const [high, low] = hash64(url);
    const slot = this.table.find(high, low);
    return slot === -1 ? -1 : this.table.offsetOf(slot);
  }

  /** Reads and checks `url`'s entry; a damaged or mismatched one is dropped and reads as a miss. */
  private read(url: string): StoredEntry | null {
    this.assertOpen();
    const [high, low] = hash64(url);
    const slot = this.table.find(high, low);
    if (slot === -1) return null;
    const entry = readEntry(this.fd, this.table.offsetOf(slot), this.table.bytesOf(slot), high, low, this.readBuffer);
    if (entry === null || entry.meta.url !== url) {
      // Damage, or another URL with the same 64-bit hash: never its record.
      if (entry === null) this.garbageBytes += this.table.removeSlot(slot);
      return null;
    }
    return entry;
  }

  private appendEntry(url: string, meta: EntryMeta, bodyJson: string): boolean {
    const [high, low] = hash64(url);
    const frame = entryFrame(high, low, this.nowSeconds, meta, bodyJson);
    if (frame === null) {
      this.forget(url); // too large to keep: the page is fetched in full next time
      return false;
    }
    const offset = this.end;
    if (!this.append(frame)) return false;
    this.garbageBytes += this.table.put(high, low, offset, frame.length, this.nowSeconds);
    return true;
  }

  /** Drops `url`'s entry, in memory and (by a REMOVE frame) in the file. */
  private forget(url: string): void {
    const [high, low] = hash64(url);
    const slot = this.table.find(high, low);
    if (slot === -1) return;
    this.garbageBytes += this.table.removeSlot(slot);
    const frame = encodeFrame(FrameKind.remove, high, low, this.nowSeconds, Buffer.alloc(0));
    if (this.append(frame)) this.garbageBytes += frame.length;
  }

  /**
   * Appends one frame in one write, so `kill -9` can only cut the last one short. A failed write
   * (a full disk) stops further writes for the run; what is in the file stays usable.
   */
  private append(frame: Buffer): boolean {
    if (this.writeFailure !== null) return false;
    try {
      writeAll(this.fd, frame, this.end);
      this.end += frame.length;
      return true;
    } catch (error) {
      this.writeFailure = `cache file ${this.path} could not be written (${(error as Error).message}); it keeps what was written before`;
      return false;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the response cache is closed");
  }
}
