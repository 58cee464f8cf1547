/**
 * One URL's way through the stages, in two steps the pool runs: `fetch` holds the URL's pool slots
 * (robots.txt, the request and its retries; with a response cache, a conditional request), `finish`
 * runs once they are free (links, extraction, the record, then the crawl's `recordDone`: a shared
 * crawl commits it, or drops it when the page is another worker's now). A URL that is never
 * requested (a bad line, robots.txt) ends in `fetch` with its record.
 */
import type { CacheHit, VisitCache } from "./cache/page-cache.js";
import type { CrawlItem } from "./crawl/frontier.js";
import type { Crawl, CrawlKinds } from "./crawl/start.js";
import type { Extractor } from "./extract/extractor.js";
import type { FollowedLink } from "./extract/follow-links.js";
import type { FetchOutcome } from "./http/fetch-with-retry.js";
import type { TrawlRecord } from "./record.js";
import { cachedRecord } from "./records/cached-record.js";
import { type CrawlPlace, fetchedRecord, invalidRecord, type RecordContext, robotsRecord } from "./records/make-record.js";
import { hostOf } from "./urls/normalize.js";

type Fetch = (url: string, key: string) => Promise<FetchOutcome>;

export interface VisitSettings {
  fetchPage: Fetch;
  /**
   * The fetches of checked links (`item.check`, `checkLinks`): the status alone (HEAD, then GET), or
   * a page read for its ids (its body only when HTML). Null when no link is checked.
   */
  checkFetches?: { status: Fetch; ids: Fetch } | null;
  /** The statuses that count as ok (`accept`); undefined: 2xx. */
  accepts?: ((status: number) => boolean) | undefined;
  /** robots.txt's verdict; null when robots.txt is not obeyed. */
  allows: ((url: string) => Promise<boolean>) | null;
  extractor: Extractor;
  saveDir: string | undefined;
  crawl: Crawl | null;
  /** True when the crawl follows what the follow selectors pick: links are known after extraction. */
  followsSelected: boolean;
  /** A recipe's kinds, by plan index (records get `kind`, and `from` when it carries); null without. */
  kinds: CrawlKinds;
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

/** A URL that was never requested: its record (a bad line, robots.txt), or null when the run stopped first. */
interface Unfetched {
  item: CrawlItem;
  record: TrawlRecord | null;
}

/** What the pool carries from `fetch` to `finish`. */
export type Visited = Fetched | Unfetched;

type Made = TrawlRecord | null | Promise<TrawlRecord | null>;

// A checked link is never parsed for a title or fields: its record says whether it is there.
const NOT_EXTRACTED: Extractor = { extract: () => ({ title: null, data: {} }), close: async () => undefined };

/** The key a URL is limited under in the pool: its host (a bad line has none). */
export function visitKey(item: CrawlItem): string {
  return item.input.ok ? hostOf(item.input.url) : "";
}

/** Where an item sits in a crawl, as its record says: depth, parent, and a recipe's kind and carried item. */
function placeOf(item: CrawlItem, kinds: CrawlKinds): CrawlPlace {
  const place: CrawlPlace = { depth: item.depth, parent: item.parent };
  const kind = kinds?.[item.kind ?? 0];
  if (!kind) return place;
  place.kind = kind.name;
  if (kind.carry) place.from = item.from ?? null;
  return place;
}

export function createVisit(settings: VisitSettings): { fetch: (item: CrawlItem) => Promise<Visited>; finish: (done: Visited) => Made } {
  const { fetchPage, allows, extractor, saveDir, crawl, followsSelected, kinds, onStart, signal, cache, accepts } = settings;
  const checkFetches = settings.checkFetches ?? null;
  // Without a crawl every record has the same context: made once.
  const plainContext: RecordContext = { extractor, saveDir, place: undefined, accepts };

  const fetch = async (item: CrawlItem): Promise<Visited> => {
    // After an abort, URLs still queued in the pool were never started: they get no record, like
    // the URLs never read from the input (only what was in flight ends as EABORTED).
    if (signal.aborted) return { item, record: null };
    const place = crawl ? placeOf(item, kinds) : undefined;
    if (!item.input.ok) return { item, record: invalidRecord(item.input, place) };
    const url = item.input.url;
    if (allows && !(await allows(url))) return { item, record: robotsRecord(url, place) };
    onStart?.(url);
    const started = performance.now();
    // Answers teach the limits of the host the pool limits by: the input URL's, even after a redirect.
    const key = hostOf(url);
    // A checked link (checkLinks) is asked for its status, or read for its ids; never through the cache.
    if (item.check !== undefined && checkFetches) {
      const outcome = await checkFetches[item.check](url, key);
      return { item, url, outcome, started, place, hit: null };
    }
    if (cache !== null) {
      const { outcome, hit } = await cache.fetch(url, key);
      return { item, url, outcome, started, place, hit };
    }
    const outcome = await fetchPage(url, key);
    return { item, url, outcome, started, place, hit: null };
  };

  /**
   * A fetched URL's record: a cache hit's stored one, or a fresh one extracted (kept for next time
   * with `links()`, the page's links as the crawl saw them). `onLinks` gets the links the page's
   * follow selectors picked, once extracted.
   */
  const recordOf = (
    done: Fetched,
    links: () => readonly unknown[] | null,
    onLinks?: (links: FollowedLink[]) => void,
  ): TrawlRecord | Promise<TrawlRecord> => {
    const { url, outcome, started, place, item, hit } = done;
    if (hit !== null) return cachedRecord(hit.record, url, outcome.attempts, started, place);
    if (item.check !== undefined)
      return fetchedRecord(url, outcome, started, { extractor: NOT_EXTRACTED, saveDir: undefined, place, accepts });
    const context: RecordContext = place ? { extractor, saveDir, place, plan: item.kind ?? 0, onLinks, accepts } : plainContext;
    const record = fetchedRecord(url, outcome, started, context);
    if (cache === null) return record;
    const keep = (made: TrawlRecord): TrawlRecord => {
      cache.keep(url, outcome, made, links());
      return made;
    };
    return record instanceof Promise ? record.then(keep) : keep(record);
  };
  const noLinks = () => null;

  const finishPlain = (done: Visited): Made => ("outcome" in done ? recordOf(done, noLinks) : done.record);

  // A crawl counts its pages in flight until their links are offered: only then can it tell it is done.
  // Plain crawling, links are read before extraction, which may move the body to a parse thread (a
  // cache hit's stored links stand in for them); following chosen links, they come out of the
  // extraction, so the page is done after it.
  const madeRecord = (done: Visited): Made => {
    const page = crawl as Crawl;
    if (!("outcome" in done)) {
      page.pageDone(done.item, null);
      return done.record;
    }
    if (!followsSelected || done.hit !== null) {
      const links = page.pageDone(done.item, done.outcome, done.hit?.links) ?? null;
      return recordOf(done, () => links);
    }
    let selected: FollowedLink[] | null = null;
    let record: TrawlRecord | Promise<TrawlRecord>;
    try {
      page.pageRead?.(done.item, done.outcome);
      record = recordOf(
        done,
        () => selected,
        (links) => {
          selected = links;
        },
      );
    } catch (error) {
      page.pageDone(done.item, done.outcome, null);
      throw error;
    }
    const settle = () => page.pageDone(done.item, done.outcome, selected);
    if (!(record instanceof Promise)) {
      settle();
      return record;
    }
    return record.finally(settle);
  };
  const finishCrawled = (done: Visited): Made => {
    const record = madeRecord(done);
    return crawl?.recordDone ? kept(crawl, done.item, record) : record;
  };
  return { fetch, finish: crawl ? finishCrawled : finishPlain };
}

/** The record once the crawl has taken it (a shared crawl's commit), or null when it is dropped. */
async function kept(crawl: Crawl, item: CrawlItem, made: Made): Promise<TrawlRecord | null> {
  const record = await made;
  return (await crawl.recordDone?.(item, record)) ? record : null;
}
