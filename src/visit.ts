/**
 * One URL's way through the stages, in two steps the pool runs: `fetch` holds the URL's pool slots
 * (robots.txt, the request and its retries), `finish` runs once they are free (links, extraction,
 * the record). A URL that is never requested (a bad line, robots.txt) ends in `fetch` with its record.
 */
import type { CacheHit, VisitCache } from "./cache/page-cache.js";
import type { Crawl } from "./crawl/start.js";
import type { CrawlItem } from "./crawl/frontier.js";
import type { Extractor } from "./extract/extractor.js";
import type { FetchOutcome } from "./http/fetch-with-retry.js";
import type { TrawlRecord } from "./record.js";
import { cachedRecord } from "./records/cached-record.js";
import { type CrawlPlace, fetchedRecord, invalidRecord, type RecordContext, robotsRecord } from "./records/make-record.js";
import { hostOf } from "./urls/normalize.js";

export interface VisitSettings {
  fetchPage: (url: string, key: string) => Promise<FetchOutcome>;
  /** robots.txt's verdict; null when robots.txt is not obeyed. */
  allows: ((url: string) => Promise<boolean>) | null;
  extractor: Extractor;
  saveDir: string | undefined;
  crawl: Crawl | null;
  onStart: ((url: string) => void) | undefined;
  signal: AbortSignal;
  /** With a response cache: conditional requests, hits, fresh records kept (cache/page-cache.ts). */
  cache: VisitCache | null;
}

/** A URL fetched, on its way to its record. */
interface Fetched {
  item: CrawlItem;
  url: string;
  outcome: FetchOutcome;
  started: number;
  place: CrawlPlace | undefined;
  /** With a cache: the stored page a 304 answered for; null otherwise. */
  hit: CacheHit | null;
}

/** What the pool carries from `fetch` to `finish`. */
export type Visited = Fetched | TrawlRecord | null;

/** The key a URL is limited under in the pool: its host (a bad line has none). */
export function visitKey(item: CrawlItem): string {
  return item.input.ok ? hostOf(item.input.url) : "";
}

export function createVisit(settings: VisitSettings): {
  fetch: (item: CrawlItem) => Promise<Visited>;
  finish: (done: Visited) => TrawlRecord | null | Promise<TrawlRecord>;
} {
  const { fetchPage, allows, extractor, saveDir, crawl, onStart, signal, cache } = settings;
  // Without a crawl every record has the same context: made once.
  const plainContext: RecordContext = { extractor, saveDir, place: undefined };

  const fetch = async (item: CrawlItem): Promise<Visited> => {
    // After an abort, URLs still queued in the pool were never started: they get no record, like
    // the URLs never read from the input (only what was in flight ends as EABORTED).
    if (signal.aborted) return null;
    const place = crawl ? { depth: item.depth, parent: item.parent } : undefined;
    if (!item.input.ok) return invalidRecord(item.input, place);
    const url = item.input.url;
    if (allows && !(await allows(url))) return robotsRecord(url, place);
    onStart?.(url);
    const started = performance.now();
    // Answers teach the limits of the host the pool limits by: the input URL's, even after a redirect.
    const key = hostOf(url);
    if (cache !== null) {
      const { outcome, hit } = await cache.fetch(url, key);
      return { item, url, outcome, started, place, hit };
    }
    const outcome = await fetchPage(url, key);
    return { item, url, outcome, started, place, hit: null };
  };

  const recordOf = (done: Visited, links: readonly string[] | null = null): TrawlRecord | null | Promise<TrawlRecord> => {
    if (done === null || !("outcome" in done)) return done;
    const { url, outcome, started, place } = done;
    if (cache !== null) return cacheRecordOf(done, links, cache);
    return fetchedRecord(url, outcome, started, place ? { extractor, saveDir, place } : plainContext);
  };

  // With a cache, a hit is the stored record; a fresh one is kept for next time, with the page's links.
  const cacheRecordOf = (done: Fetched, links: readonly string[] | null, cache: VisitCache): TrawlRecord | Promise<TrawlRecord> => {
    const { url, outcome, started, place, hit } = done;
    if (hit !== null) return cachedRecord(hit.record, url, outcome.attempts, started, place);
    const record = fetchedRecord(url, outcome, started, place ? { extractor, saveDir, place } : plainContext);
    const keep = (made: TrawlRecord): TrawlRecord => {
      cache.keep(url, outcome, made, links);
      return made;
    };
    return record instanceof Promise ? record.then(keep) : keep(record);
  };

  // A crawl counts its pages in flight until their links are offered: only then can it tell it is done.
  // Links are offered before extraction, which may move the body to a parse thread. A cache hit's
  // stored links stand in for the body's.
  const finishCrawled = (done: Visited): TrawlRecord | null | Promise<TrawlRecord> => {
    if (done !== null && "outcome" in done) return recordOf(done, (crawl as Crawl).pageDone(done.item, done.outcome, done.hit?.links));
    (crawl as Crawl).pageDone(null, null);
    return recordOf(done);
  };
  return { fetch, finish: crawl ? finishCrawled : recordOf };
}
