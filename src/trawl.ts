import { setMaxListeners } from "node:events";
import type { CrawlItem } from "./crawl/frontier.js";
import { withSitemaps } from "./crawl/sitemap-input.js";
import { type Crawl, startCrawl } from "./crawl/start.js";
import { createExtractor } from "./extract/extractor.js";
import { createFetcher } from "./http/fetcher.js";
import { mayHoldIds } from "./crawl/check-options.js";
import { poolWindow } from "./limits.js";
import { resolveOptions, type TrawlOptions } from "./options.js";
import { createPoliteness } from "./politeness/index.js";
import { afterPendingIo, mapPool } from "./pool.js";
import type { TrawlRecord } from "./record.js";
import { judgeInput } from "./urls/judge-input.js";
import type { InputUrl } from "./urls/normalize.js";
import { HashSet64 } from "./urls/seen-set.js";
import { prepareSaveDir } from "./records/save-body.js";
import { createVisit, visitKey } from "./visit.js";

/** An input URL as a pool item, when not crawling. */
const asItem = (input: InputUrl): CrawlItem => ({ input, depth: 0, parent: null, seed: input.ok ? input.url : input.line });

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
 * The stages: options → input (judged, sharded, deduped; a crawl's frontier when crawling) →
 * pool(fetch under politeness) → finish (links, extraction, record) → the caller.
 */
export async function* trawl(
  urls: AsyncIterable<string> | Iterable<string>,
  options: TrawlOptions = {},
): AsyncGenerator<TrawlRecord, void, undefined> {
  const resolved = resolveOptions(options);
  if (resolved.saveDir !== undefined) await prepareSaveDir(resolved.saveDir);
  const extractor = await createExtractor(resolved.select);
  const { controller, release } = runController(resolved.signal);
  const signal = controller.signal;
  const fetcher = createFetcher(resolved, signal);
  let crawl: Crawl | null = null;
  try {
    const politeness = await createPoliteness(resolved, fetcher.document);
    // Crawling, every URL is fetched once whatever `dedupe` says: links lead back to pages often.
    const seen = resolved.dedupe || resolved.crawl ? new HashSet64() : null;
    const lines = resolved.sitemaps.length === 0 ? urls : withSitemaps(urls, resolved.sitemaps, fetcher.document, resolved.maxBytes);
    const filter = { seen, shard: resolved.shard, skip: resolved.skip };
    crawl = resolved.crawl && seen ? await startCrawl(resolved.crawl, judgeInput(lines, filter, (input) => input), seen, resolved.onWarning, resolved.skip) : null;
    const items = crawl ? crawl.items() : judgeInput(lines, filter, asItem);
    const visit = createVisit({
      fetchPage: fetcher.pages(politeness),
      checkFetches: resolved.crawl?.check ? { status: fetcher.links(politeness), ids: fetcher.pages(politeness, mayHoldIds) } : null,
      accepts: resolved.accepts,
      allows: politeness.allows,
      extractor,
      saveDir: resolved.saveDir,
      crawl,
      onStart: resolved.onStart,
      signal,
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
    const iterator = (crawl ? crawl.records(records) : records)[Symbol.asyncIterator]();
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
    crawl?.close();
    await fetcher.close();
    await extractor.close();
  }
}
