import { setMaxListeners } from "node:events";
import type { PageCache } from "./cache/page-cache.js";
import type { CrawlItem } from "./crawl/frontier.js";
import { withSitemaps } from "./crawl/sitemap-input.js";
import { type Crawl, startCrawl } from "./crawl/start.js";
import type { Fleet } from "./crawl/shared/fleet.js";
import { createExtractor } from "./extract/extractor.js";
import { createFetcher } from "./http/fetcher.js";
import { mayHoldIds } from "./crawl/check-options.js";
import { poolWindow } from "./limits.js";
import { resolveOptions, type TrawlOptions } from "./options.js";
import { createPoliteness } from "./politeness/index.js";
import { afterPendingIo, mapPool } from "./pool.js";
import type { TrawlData } from "./extract/field-types.js";
import type { TrawlRecord, TypedRecord } from "./record.js";
import { judgeInput } from "./urls/judge-input.js";
import type { InputUrl } from "./urls/normalize.js";
import { HashSet64 } from "./urls/seen-set.js";
import { prepareSaveDir } from "./records/save-body.js";
import { createVisit, visitKey } from "./visit.js";

/** An input URL as a pool item, when not crawling. */
const asItem = (input: InputUrl): CrawlItem => ({ input, depth: 0, parent: null, seed: input.ok ? input.url : input.line });

/** A recipe's start URLs, then the caller's. */
async function* withStart(start: readonly string[], urls: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  yield* start;
  yield* urls;
}

/** One signal for the run: aborted by the caller's signal, or by us when the consumer stops early. */
function runController(callerSignal: AbortSignal | undefined): { controller: AbortController; release: () => void } {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  // Retry waits and paced waits listen to the run signal while they last: by design, not a leak.
  setMaxListeners(0, controller.signal);
  return { controller, release: () => callerSignal?.removeEventListener("abort", onCallerAbort) };
}

/**
 * Fetches every URL of `urls` through a bounded pool and yields one record per input URL as it
 * finishes (or in input order with `ordered`). Per-URL failures are records, never exceptions;
 * only bad options (a `UsageError`) or bugs throw. Breaking out of the loop aborts what is in flight.
 *
 * The stages: options → input (judged, sharded, deduped; a crawl's frontier when crawling, the
 * job's queue in Redis with `frontier`) → pool(fetch under politeness) → finish (links,
 * extraction, record; a shared crawl's commit) → the caller.
 */
export function trawl<const Select extends Record<string, string> = Record<string, string>, Each extends string | undefined = undefined>(
  urls: AsyncIterable<string> | Iterable<string>,
  options: TrawlOptions & { select?: Select; each?: Each } = {},
): AsyncGenerator<TypedRecord<TrawlData<Select, Each>>, void, undefined> {
  // The records' data has the shape of the select literal (extract/field-types.ts); at run time a record is a record.
  return run(urls, options) as AsyncGenerator<TypedRecord<TrawlData<Select, Each>>, void, undefined>;
}

async function* run(urls: AsyncIterable<string> | Iterable<string>, options: TrawlOptions): AsyncGenerator<TrawlRecord, void, undefined> {
  const resolved = resolveOptions(options);
  if (resolved.saveDir !== undefined) await prepareSaveDir(resolved.saveDir);
  const extractor = await createExtractor(resolved.plans);
  const { controller, release } = runController(resolved.signal);
  const signal = controller.signal;
  const fetcher = createFetcher(resolved, signal);
  let crawl: Crawl | null = null;
  let fleet: Fleet | null = null;
  let cache: PageCache | null = null;
  try {
    // A shared crawl joins its job first: a Redis out of reach or a job of another configuration stops the run here.
    if (resolved.frontier && resolved.crawl) {
      const { joinFleet } = await import("./crawl/shared/fleet.js");
      fleet = await joinFleet({ ...resolved, frontier: resolved.frontier, crawl: resolved.crawl }, signal);
    }
    // The response cache's modules load only for a run that has one.
    if (resolved.cache) cache = (await import("./cache/page-cache.js")).PageCache.open(resolved, fetcher.requestHeaders);
    const politeness = await createPoliteness(resolved, fetcher.document, fleet?.politeness);
    // Crawling, every URL is fetched once whatever `dedupe` says: links lead back to pages often.
    // A fleet's one seen-set is in Redis.
    const seen = fleet === null && (resolved.dedupe || resolved.crawl) ? new HashSet64() : null;
    const given = resolved.startUrls.length === 0 ? urls : withStart(resolved.startUrls, urls);
    const lines = resolved.sitemaps.length === 0 ? given : withSitemaps(given, resolved.sitemaps, fetcher.document, resolved.maxBytes);
    const filter = { seen, shard: resolved.shard, skip: cache ? cache.touching(resolved.skip) : resolved.skip };
    const judged = () => judgeInput(lines, filter, (input) => input);
    const local = { onWarning: resolved.onWarning, done: resolved.skip, kinds: resolved.kinds, readEveryPage: cache !== null };
    crawl = fleet ? fleet.crawl(judged()) : resolved.crawl && seen ? await startCrawl(resolved.crawl, judged(), seen, local) : null;
    const items = crawl ? crawl.items() : judgeInput(lines, filter, asItem);
    const fetchPage = fetcher.pages(politeness);
    const visit = createVisit({
      fetchPage,
      checkFetches: resolved.crawl?.check ? { status: fetcher.links(politeness), ids: fetcher.pages(politeness, mayHoldIds) } : null,
      accepts: resolved.accepts,
      allows: politeness.allows,
      extractor,
      saveDir: resolved.saveDir,
      crawl,
      followsSelected: resolved.crawl?.links === "selected",
      kinds: resolved.kinds,
      onStart: resolved.onStart,
      signal,
      cache: cache?.forVisits(fetchPage) ?? null,
    });
    const records = mapPool(
      items,
      visit.fetch,
      {
        concurrency: resolved.concurrency,
        perKeyConcurrency: resolved.perHostConcurrency,
        keyOf: visitKey,
        keyConcurrency: politeness.limitOf,
        ordered: resolved.ordered,
        window: poolWindow(resolved.concurrency),
        signal,
      },
      afterPendingIo(visit.finish),
    );
    // Iterated by hand so that leaving early aborts the in-flight work before the pool unwinds.
    const iterator = (crawl?.records ? crawl.records(records) : records)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        if (next.value !== null) yield next.value;
      }
    } finally {
      controller.abort();
      await iterator.return?.(undefined);
    }
  } finally {
    release();
    // In-flight work was aborted above; sockets are torn down at once (none is busy on a normal end).
    controller.abort();
    crawl?.close?.();
    await fleet?.close();
    cache?.close();
    await fetcher.close();
    await extractor.close();
  }
}
