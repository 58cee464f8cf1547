/**
 * The response cache in a run (SPEC §10): the store of `response-cache.ts` wired to the fetch step.
 * A cached URL is asked for with its validators; a 304 to that request brings back the stored page
 * (record and links) instead of a body; a fresh 2xx record is kept for next time. Loaded only when
 * a run has a cache.
 */
import { existsSync } from "node:fs";
import type { ConditionalRequest } from "../http/fetch-page.js";
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import type { ResolvedOptions, RunWarning } from "../options.js";
import type { TrawlRecord } from "../record.js";
import { recordToKeep } from "../records/cached-record.js";
import { cacheFingerprint } from "./fingerprint.js";
import { ResponseCache } from "./response-cache.js";

/** A page fetch as the fetch stage offers it (http/fetcher.ts), conditional request and all. */
export type PageFetch = (url: string, key: string, conditional?: ConditionalRequest) => Promise<FetchOutcome>;

/** What a 304 brought back: the stored record and, when crawling, the stored links. */
export interface CacheHit {
  record: TrawlRecord;
  /** As the crawl kept them: URLs (a plain crawl), or the followed links with their kind and item. */
  links: readonly unknown[] | null;
}

/** A URL fetched through the cache: the last outcome, and the stored page when a 304 answered. */
export interface CachedFetch {
  outcome: FetchOutcome;
  hit: CacheHit | null;
}

/** The cache's part in a URL's visit (see visit.ts). */
export interface VisitCache {
  /** Fetches `url`, conditionally when it is cached; a 304 that answers the stored entry is a hit. */
  fetch(url: string, key: string): Promise<CachedFetch>;
  /** Keeps a fresh record (2xx, ok) and its links for next time; anything else is not kept. */
  keep(url: string, outcome: FetchOutcome, record: TrawlRecord, links: readonly unknown[] | null): void;
}

// A request that is not conditional but hands back the headers an entry is made of: one for the run.
const PLAIN: ConditionalRequest = { url: null, headers: {} };

// The store's messages start "cache file <path> …"; the option's name says that already.
const warningOf = (message: string): RunWarning => ({ option: "cache", message: message.replace(/^cache file /, "") });

export class PageCache {
  private closed = false;

  private constructor(
    private readonly store: ResponseCache,
    private readonly fingerprint: string,
    private readonly requestHeaders: Readonly<Record<string, string>>,
    private readonly onWarning: ((warning: RunWarning) => void) | undefined,
  ) {}

  /**
   * Opens the run's cache file; what the store has to say about it (damaged, another version) goes
   * to `onWarning`. Throws a UsageError naming `cache` for a file that is not a cache or is in use.
   * `requestHeaders` are the headers every request starts from (the varied ones are compared).
   */
  static open(options: ResolvedOptions, requestHeaders: Readonly<Record<string, string>>): PageCache {
    const settings = options.cache;
    if (settings === null) throw new Error("PageCache.open without a cache file");
    const { cache, warning } = ResponseCache.open(settings.path, { maxAgeMs: settings.maxAgeMs });
    if (warning !== null) options.onWarning?.(warningOf(warning));
    return new PageCache(cache, cacheFingerprint(options), requestHeaders, options.onWarning);
  }

  /** The cache's part in the visits of a run whose pages are fetched by `fetchPage`. */
  forVisits(fetchPage: PageFetch): VisitCache {
    return {
      fetch: (url, key) => this.fetch(fetchPage, url, key),
      keep: (url, outcome, record, links) => this.keep(url, outcome, record, links),
    };
  }

  /**
   * Wraps `skip` (resume) so that every URL it leaves out is marked seen: an entry of a URL that a
   * resumed run does not fetch must not age out.
   */
  touching(skip: ((key: string) => boolean) | undefined): ((key: string) => boolean) | undefined {
    if (skip === undefined) return undefined;
    return (key) => {
      if (!skip(key)) return false;
      if (!this.closed) this.store.touch(key);
      return true;
    };
  }

  /** Flushes and lets the file go (what is still in flight is no longer kept); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const warning = this.store.close();
    if (warning !== null) this.onWarning?.(warningOf(warning));
  }

  private async fetch(fetchPage: PageFetch, url: string, key: string): Promise<CachedFetch> {
    const revalidation = this.closed ? null : this.store.revalidation(url, this.fingerprint, this.requestHeaders);
    if (revalidation === null) return { outcome: await fetchPage(url, key, PLAIN), hit: null };
    const conditionalUrl = revalidation.url;
    const outcome = await fetchPage(url, key, revalidation);
    // A 304 counts only as the answer to the request that carried the validators; any other one
    // (a redirect elsewhere, a server's own idea) is an ordinary non-2xx answer.
    if (outcome.status !== 304 || outcome.error !== null || outcome.finalUrl !== conditionalUrl || this.closed) {
      return { outcome, hit: null };
    }
    const page = this.store.revalidated(url, this.fingerprint, outcome.responseHeaders ?? {}, outcome.requestHeaders ?? {}, revalidation);
    // A saved body that is gone would make the record name a missing file: read the page again.
    if (page !== null && (page.record.file === undefined || existsSync(page.record.file))) {
      return { outcome, hit: { record: page.record, links: page.links ?? null } };
    }
    // The 304 named another representation (the entry is dropped): ask again, plainly.
    const again = await fetchPage(url, key, PLAIN);
    return { outcome: { ...again, attempts: outcome.attempts + again.attempts }, hit: null };
  }

  private keep(url: string, outcome: FetchOutcome, record: TrawlRecord, links: readonly unknown[] | null): void {
    // Errors (timeouts, 429, 5xx, a body too large, a page that could not be parsed) are never kept;
    // the store also refuses any status but 2xx and responses without a validator or with no-store.
    if (this.closed || !record.ok || outcome.status === null || outcome.responseHeaders === null) return;
    this.store.store(url, {
      status: outcome.status,
      headers: outcome.responseHeaders,
      record: recordToKeep(record),
      links,
      fingerprint: this.fingerprint,
      finalUrl: outcome.finalUrl,
      requestHeaders: outcome.requestHeaders ?? {},
    });
  }
}
