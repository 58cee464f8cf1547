import { setMaxListeners } from "node:events";
import { AdaptiveLimits } from "./politeness/adaptive-limits.js";
import type { CrawlItem, Frontier } from "./crawl/frontier.js";
import { createExtractor } from "./extract/extractor.js";
import { HashSet64 } from "./urls/seen-set.js";
import { createDispatcher } from "./http/agent.js";
import { decodeText, isHtml } from "./extract/charset.js";
import type { FetchSettings } from "./http/fetch-page.js";
import { type FetchOutcome, fetchWithRetry, type RetrySettings } from "./http/fetch-with-retry.js";
import { LiveAttempts } from "./http/live-attempts.js";
import { type InputUrl, normalizeUrl } from "./urls/normalize.js";
import { resolveOptions, type TrawlOptions } from "./options.js";
import { mapPool } from "./pool.js";
import { HostPacer } from "./politeness/host-pacer.js";

import { ROBOTS_MAX_BYTES, SITEMAP_MAX_BYTES } from "./limits.js";
import { type CrawlPlace, fetchedRecord, invalidRecord, type RecordContext, robotsRecord } from "./records/make-record.js";
import { inShard, type Shard } from "./urls/shard.js";
import type { TrawlRecord } from "./record.js";

/**
 * Judges each input line, keeps this shard's share, and drops URLs seen before (by hash), lazily;
 * `as` shapes what is yielded (one generator rather than two in a row: each hop costs a promise).
 */
async function* judgeInput<T>(
  urls: AsyncIterable<string> | Iterable<string>,
  seen: HashSet64 | null,
  shard: Shard | undefined,
  skip: ((key: string) => boolean) | undefined,
  as: (input: InputUrl) => T,
): AsyncGenerator<T> {
  for await (const line of urls) {
    const judged = normalizeUrl(String(line).trim());
    const key = judged.ok ? judged.url : judged.line;
    // A line that is not a URL is sharded by its text, so exactly one job reports it.
    if (shard && !inShard(key, shard)) continue;
    if (skip?.(key)) continue;
    if (judged.ok && seen && !seen.add(judged.url)) continue;
    yield as(judged);
  }
}

/**
 * Wraps `finish` so that it runs after the I/O the event loop has ready: responses that arrive
 * together all send their next requests before any of them is parsed. On a latency-bound list this
 * keeps parsing off the requests' critical path; on a fast one it changes nothing but the order.
 */
function afterPendingIo<A, B>(finish: (value: A) => B | Promise<B>): (value: A) => Promise<B> {
  let queue: (() => void)[] = [];
  const drain = () => {
    const batch = queue;
    queue = [];
    for (const run of batch) run();
  };
  return (value) =>
    new Promise<B>((resolve, reject) => {
      if (queue.length === 0) setImmediate(drain);
      queue.push(() => {
        try {
          resolve(finish(value));
        } catch (error) {
          reject(error);
        }
      });
    });
}

/** A URL fetched, on its way to its record. */
interface Fetched {
  item: CrawlItem;
  url: string;
  outcome: FetchOutcome;
  started: number;
  place: CrawlPlace | undefined;
}

/** An input URL as a pool item, when not crawling. */
const asItem = (input: InputUrl): CrawlItem => ({ input, depth: 0, parent: null, seed: input.ok ? input.url : input.line });

/** The key a URL is rate- and concurrency-limited under: its host and port (`host[:port]`). */
function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return url.slice(start, end === -1 ? undefined : end);
}

function hostKey(item: CrawlItem): string {
  return item.input.ok ? hostOf(item.input.url) : "";
}

/** The input URLs, then the pages of each sitemap. */
async function* withSitemaps(
  urls: AsyncIterable<string> | Iterable<string>,
  sitemaps: readonly string[],
  fetchSitemap: (url: string) => Promise<FetchOutcome>,
): AsyncGenerator<string> {
  yield* urls;
  const { sitemapUrls } = await import("./crawl/sitemap.js");
  for (const sitemap of sitemaps) yield* sitemapUrls(sitemap, fetchSitemap);
}

/**
 * Fetches every URL of `urls` through a bounded pool and yields one record per input URL as it
 * finishes (or in input order with `ordered`). Per-URL failures are records, never exceptions;
 * only bad options (a `UsageError`) or bugs throw. Breaking out of the loop aborts what is in flight.
 */
export async function* trawl(
  urls: AsyncIterable<string> | Iterable<string>,
  options: TrawlOptions = {},
): AsyncGenerator<TrawlRecord, void, undefined> {
  const resolved = resolveOptions(options);
  const extractor = await createExtractor(resolved.select);
  // One signal for the run: the caller's, or ours when the consumer stops early.
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(resolved.signal?.reason);
  if (resolved.signal?.aborted) onCallerAbort();
  resolved.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const runSignal = controller.signal;
  // Retry waits and --rate waits listen to the run signal while they last: by design, not a leak.
  setMaxListeners(0, runSignal);

  const dispatcher = createDispatcher(resolved);
  const headers: Record<string, string> = {
    "user-agent": resolved.userAgent,
    accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "accept-encoding": "gzip, deflate, br",
  };
  for (const [name, value] of Object.entries(resolved.headers)) headers[name.toLowerCase()] = value;
  const fetchSettings: FetchSettings = {
    dispatcher,
    headers,
    timeoutMs: resolved.timeoutMs,
    maxRedirects: resolved.maxRedirects,
    maxBytes: resolved.maxBytes,
    live: new LiveAttempts(runSignal),
  };
  // Politeness: hosts that answer 429/503 get fewer requests at once; --rate spaces requests out.
  const adaptive = new AdaptiveLimits(resolved.perHostConcurrency);
  const rate = resolved.ratePerSecond;
  const robotsRetry: RetrySettings = { retries: resolved.retries, retryDelayMs: resolved.retryDelayMs, onAttempt: resolved.onAttempt };
  const robotsFetch = { ...fetchSettings, maxBytes: Math.min(resolved.maxBytes, ROBOTS_MAX_BYTES) };
  const robots = resolved.robots
    ? new (await import("./politeness/robots.js")).RobotsCache((url) => fetchWithRetry(url, robotsFetch, robotsRetry, runSignal), resolved.userAgent)
    : null;
  // The pace of a host: --rate, or its robots.txt Crawl-delay when that is slower.
  const intervalOf = (host: string): number | null => {
    const delays = [rate === undefined ? null : 1000 / rate, robots?.crawlDelayMs(host) ?? null].filter((ms) => ms !== null);
    return delays.length === 0 ? null : Math.max(...delays);
  };
  const pacer = rate === undefined && !robots ? null : new HostPacer(intervalOf);
  const retrySettings: RetrySettings = {
    retries: resolved.retries,
    retryDelayMs: resolved.retryDelayMs,
    onAttempt: resolved.onAttempt,
    pace: pacer ? (url, signal) => pacer.wait(hostOf(url), signal) : undefined,
    // Answers teach the limits of the host the pool limits by: the input URL's, even after a redirect.
    observe: (host, status, ms) => adaptive.observe(host, status, ms),
  };

  // Crawling, every URL is fetched once whatever --no-dedupe says: links lead back to pages often.
  const crawl = resolved.crawl;
  const seen = resolved.dedupe || crawl ? new HashSet64() : null;
  const sitemapFetch = { ...fetchSettings, maxBytes: Math.max(resolved.maxBytes, SITEMAP_MAX_BYTES) };
  const fromSitemap = (url: string) => fetchWithRetry(url, sitemapFetch, { ...retrySettings, pace: undefined, observe: undefined }, runSignal);
  const sources = resolved.sitemaps.length === 0 ? urls : withSitemaps(urls, resolved.sitemaps, fromSitemap);
  const judge = <T>(as: (input: InputUrl) => T) => judgeInput(sources, seen, resolved.shard, resolved.skip, as);
  // Crawling loads its own modules (an HTML tokenizer, the public-suffix list) only when asked for.
  const crawling = crawl && seen ? await Promise.all([import("./crawl/frontier.js"), import("./crawl/links.js")]) : null;
  const frontier: Frontier | null =
    crawling && crawl && seen ? new crawling[0].Frontier(judge((input) => input), crawl, seen) : null;
  const scanLinks = crawling?.[1].scanLinks;

  // Without a crawl every record has the same context: made once.
  const plainContext: RecordContext = { extractor, saveDir: resolved.saveDir, place: undefined };

  /**
   * The part of a URL's work that holds its pool slots: the request (with retries). A URL that is
   * not fetched (a bad line, robots.txt) ends here with its record.
   */
  const fetchItem = async (item: CrawlItem): Promise<Fetched | TrawlRecord | null> => {
    // After an abort, URLs still queued in the pool were never started: they get no record, like
    // the URLs never read from the input (only what was in flight ends as EABORTED).
    if (runSignal.aborted) return null;
    const place = frontier ? { depth: item.depth, parent: item.parent } : undefined;
    if (!item.input.ok) return invalidRecord(item.input, place);
    const url = item.input.url;
    if (robots && !(await robots.check(url)).allowed) return robotsRecord(url, place);
    resolved.onStart?.(url);
    const started = performance.now();
    const outcome = await fetchWithRetry(url, fetchSettings, retrySettings, runSignal, hostOf(url));
    return { item, url, outcome, started, place };
  };

  /** The rest, once the slots are free for the next request: links, extraction, the record. */
  const recordOf = (done: Fetched | TrawlRecord | null): TrawlRecord | null | Promise<TrawlRecord> => {
    if (done === null || !("outcome" in done)) return done;
    const { item, url, outcome, started, place } = done;
    if (frontier && scanLinks && crawl && outcome.body && item.depth < crawl.maxDepth && isHtml(outcome.contentType, outcome.body)) {
      // Links are read before extraction, which may move the body to a parse thread.
      const { links } = scanLinks(decodeText(outcome.body, outcome.contentType), outcome.finalUrl, crawl.followNofollow);
      seen?.add(outcome.finalUrl);
      // Scope is measured from where an input URL landed (http://x/ redirecting to https://www.x/).
      frontier.offer(links, item.depth === 0 ? { ...item, seed: outcome.finalUrl } : item);
    }
    return fetchedRecord(url, outcome, started, place ? { extractor, saveDir: resolved.saveDir, place } : plainContext);
  };

  // A crawl counts its pages in flight until their links are offered: only then can it tell it is done.
  const finish = afterPendingIo(
    frontier
      ? (done: Fetched | TrawlRecord | null) => {
          try {
            return recordOf(done);
          } finally {
            frontier.finished();
          }
        }
      : recordOf,
  );

  try {
    const items = frontier ? frontier.items() : judge(asItem);
    const records = mapPool(items, fetchItem, {
      concurrency: resolved.concurrency,
      perKeyConcurrency: resolved.perHostConcurrency,
      keyOf: hostKey,
      keyConcurrency: (key) => adaptive.limitOf(key),
      ordered: resolved.ordered,
      window: resolved.concurrency * 2 + 64,
      signal: runSignal,
    }, finish);
    // Iterated by hand so that leaving early aborts the in-flight work before the pool unwinds.
    const iterator = records[Symbol.asyncIterator]();
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
    resolved.signal?.removeEventListener("abort", onCallerAbort);
    // In-flight work was aborted above; sockets are torn down at once (none is busy on a normal end).
    controller.abort();
    await dispatcher.destroy().catch(() => undefined);
    await extractor.close();
  }
}
