import type { PageCache } from "./cache/page-cache.js";
import { mayHoldIds } from "./crawl/check-options.js";
import type { Fleet } from "./crawl/shared/fleet.js";
import type { Crawl } from "./crawl/start.js";
import { createExtractor } from "./extract/extractor.js";
import type { TrawlData } from "./extract/field-types.js";
import { createFetcher } from "./http/fetcher.js";
import { openItems } from "./items.js";
import { poolWindow } from "./limits.js";
import { type ResolvedOptions, resolveOptions, type TrawlOptions } from "./options.js";
import { createPoliteness } from "./politeness/index.js";
import { afterPendingIo, mapPool } from "./pool.js";
import type { TrawlRecord, TypedRecord } from "./record.js";
import { prepareSaveDir } from "./records/save-body.js";
import { runController } from "./run-signal.js";
import { createVisit, visitKey } from "./visit.js";

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
  return run(urls, () => resolveOptions(options)) as AsyncGenerator<TypedRecord<TrawlData<Select, Each>>, void, undefined>;
}

/**
 * `trawl` for options already resolved, as the CLI has them after checking its flags: nothing is
 * read twice (a `cookieFile` may be a pipe, `--cookies <(…)`, readable once).
 */
export function trawlResolved(
  urls: AsyncIterable<string> | Iterable<string>,
  resolved: ResolvedOptions,
): AsyncGenerator<TrawlRecord, void, undefined> {
  return run(urls, () => resolved);
}

/** `resolve` runs on the first `next()`: bad options throw there, as the generator's first step. */
async function* run(
  urls: AsyncIterable<string> | Iterable<string>,
  resolve: () => ResolvedOptions,
): AsyncGenerator<TrawlRecord, void, undefined> {
  const resolved = resolve();
  if (resolved.saveDir !== undefined) await prepareSaveDir(resolved.saveDir);
  const extractor = await createExtractor(resolved.plans);
  const { controller, release } = runController(resolved.signal);
  const signal = controller.signal;
  const fetcher = createFetcher(resolved, signal);
  let crawl: Crawl | null = null;
  let fleet: Fleet | null = null;
  let cache: PageCache | null = null;
  try {
    // With a response cache, a crawl reads every page's links, at the depth limit too: a later run may go deeper.
    const readEveryPage = resolved.cache !== null;
    // A shared crawl joins its job first: a Redis out of reach or a job of another configuration stops the run here.
    if (resolved.frontier && resolved.crawl) {
      const { joinFleet } = await import("./crawl/shared/fleet.js");
      fleet = await joinFleet({ ...resolved, frontier: resolved.frontier, crawl: resolved.crawl, readEveryPage }, signal);
    }
    // The response cache's modules load only for a run that has one.
    if (resolved.cache) cache = (await import("./cache/page-cache.js")).PageCache.open(resolved, fetcher.requestHeaders);
    const politeness = await createPoliteness(resolved, fetcher.document, fleet?.politeness);
    const skip = cache ? cache.touching(resolved.skip) : resolved.skip;
    const input = await openItems(urls, resolved, { fetchDocument: fetcher.document, fleet, skip, readEveryPage });
    crawl = input.crawl;
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
      input.items,
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
