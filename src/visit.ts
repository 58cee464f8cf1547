/**
 * One URL's way through the stages, in two steps the pool runs: `fetch` holds the URL's pool slots
 * (robots.txt, the request and its retries), `finish` runs once they are free (links, extraction,
 * the record). A URL that is never requested (a bad line, robots.txt) ends in `fetch` with its record.
 */
import type { Crawl } from "./crawl/start.js";
import type { CrawlItem } from "./crawl/frontier.js";
import type { Extractor } from "./extract/extractor.js";
import type { FetchOutcome } from "./http/fetch-with-retry.js";
import type { TrawlRecord } from "./record.js";
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
  onStart: ((url: string) => void) | undefined;
  signal: AbortSignal;
}

/** A URL fetched, on its way to its record. */
interface Fetched {
  item: CrawlItem;
  url: string;
  outcome: FetchOutcome;
  started: number;
  place: CrawlPlace | undefined;
}

/** What the pool carries from `fetch` to `finish`. */
export type Visited = Fetched | TrawlRecord | null;

// A checked link is never parsed for a title or fields: its record says whether it is there.
const NOT_EXTRACTED: Extractor = { extract: () => ({ title: null, data: {} }), close: async () => undefined };

/** The key a URL is limited under in the pool: its host (a bad line has none). */
export function visitKey(item: CrawlItem): string {
  return item.input.ok ? hostOf(item.input.url) : "";
}

export function createVisit(settings: VisitSettings): {
  fetch: (item: CrawlItem) => Promise<Visited>;
  finish: (done: Visited) => TrawlRecord | null | Promise<TrawlRecord>;
} {
  const { fetchPage, allows, extractor, saveDir, crawl, onStart, signal, accepts } = settings;
  const checkFetches = settings.checkFetches ?? null;
  // Without a crawl every record has the same context: made once.
  const plainContext: RecordContext = { extractor, saveDir, place: undefined, accepts };

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
    const fetchOne = item.check !== undefined && checkFetches ? checkFetches[item.check] : fetchPage;
    const outcome = await fetchOne(url, hostOf(url));
    return { item, url, outcome, started, place };
  };

  const recordOf = (done: Visited): TrawlRecord | null | Promise<TrawlRecord> => {
    if (done === null || !("outcome" in done)) return done;
    const { item, url, outcome, started, place } = done;
    if (item.check !== undefined) return fetchedRecord(url, outcome, started, { extractor: NOT_EXTRACTED, saveDir: undefined, place, accepts });
    return fetchedRecord(url, outcome, started, place ? { extractor, saveDir, place, accepts } : plainContext);
  };

  // A crawl counts its pages in flight until their links are offered: only then can it tell it is done.
  // Links are offered before extraction, which may move the body to a parse thread.
  const finishCrawled = (done: Visited): TrawlRecord | null | Promise<TrawlRecord> => {
    if (done !== null && "outcome" in done) (crawl as Crawl).pageDone(done.item, done.outcome);
    else (crawl as Crawl).pageDone(null, null);
    return recordOf(done);
  };
  return { fetch, finish: crawl ? finishCrawled : recordOf };
}
