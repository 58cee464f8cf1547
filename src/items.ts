/**
 * The pool's items (SPEC §1, §6): the input (a recipe's start URLs, the caller's URLs, then the pages
 * of any sitemap) judged, sharded and deduped; crawling, a crawl's frontier fed by that input (a
 * fleet's, whose seen-set is in Redis, when the frontier is shared).
 */
import type { FetchOutcome } from "./http/fetch-with-retry.js";
import type { CrawlItem } from "./crawl/frontier.js";
import { withSitemaps } from "./crawl/sitemap-input.js";
import { type Crawl, startCrawl } from "./crawl/start.js";
import type { Fleet } from "./crawl/shared/fleet.js";
import type { ResolvedOptions } from "./options.js";
import { judgeInput } from "./urls/judge-input.js";
import type { InputUrl } from "./urls/normalize.js";
import { HashSet64 } from "./urls/seen-set.js";

export interface RunItems {
  /** The run's crawl, or null when it only fetches its input. */
  crawl: Crawl | null;
  items: AsyncIterable<CrawlItem>;
}

export interface ItemSources {
  /** Fetches a sitemap (the fetcher's side documents). */
  fetchDocument: (url: string, maxBytes: number) => Promise<FetchOutcome>;
  /** A shared crawl's fleet, joined already; null for a local run. */
  fleet: Fleet | null;
  /** Leaves out an input URL already done (`skip`, or the response cache's touching form of it). */
  skip: ((key: string) => boolean) | undefined;
  /** The response cache is on: every page is read for its links, a 304's stored ones included. */
  readEveryPage: boolean;
}

/** An input URL as a pool item, when not crawling. */
const asItem = (input: InputUrl): CrawlItem => ({ input, depth: 0, parent: null, seed: input.ok ? input.url : input.line });

/** A recipe's start URLs, then the caller's. */
async function* withStart(start: readonly string[], urls: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  yield* start;
  yield* urls;
}

/** The run's items, and its crawl when it crawls; nothing is read until the items are. */
export async function openItems(
  urls: AsyncIterable<string> | Iterable<string>,
  resolved: ResolvedOptions,
  sources: ItemSources,
): Promise<RunItems> {
  const { fleet } = sources;
  // Crawling, every URL is fetched once whatever `dedupe` says: links lead back to pages often.
  const seen = fleet === null && (resolved.dedupe || resolved.crawl) ? new HashSet64() : null;
  const given = resolved.startUrls.length === 0 ? urls : withStart(resolved.startUrls, urls);
  const lines = resolved.sitemaps.length === 0 ? given : withSitemaps(given, resolved.sitemaps, sources.fetchDocument, resolved.maxBytes);
  const filter = { seen, shard: resolved.shard, skip: sources.skip };
  const judged = () => judgeInput(lines, filter, (input) => input);
  if (fleet) {
    const crawl = fleet.crawl(judged());
    return { crawl, items: crawl.items() };
  }
  if (resolved.crawl && seen) {
    const local = {
      onWarning: resolved.onWarning,
      onHeld: resolved.onHeld,
      onQueued: resolved.onQueued,
      done: resolved.skip,
      kinds: resolved.kinds,
      readEveryPage: sources.readEveryPage,
    };
    const crawl = await startCrawl(resolved.crawl, judged(), seen, local);
    return { crawl, items: crawl.items() };
  }
  return { crawl: null, items: judgeInput(lines, filter, asItem) };
}
