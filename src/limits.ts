/**
 * Every clamp and cap of the library in one leaf (as ky's core/constants.ts): a number that bounds
 * time, memory or a count lives here, with the reason, so that none hides in the code that obeys it.
 */

/** Backoff never waits longer than this between attempts (SPEC §2). */
export const MAX_RETRY_DELAY_MS = 30_000;
/** The longest wait a Node timer takes (2^31-1 ms, ~24.8 days); a longer one would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** A Retry-After longer than this ends the retries instead of being waited out (SPEC §2). */
export const MAX_RETRY_AFTER_MS = 60_000;
/** RFC 9309 §2.5: crawlers must read at least 500 KiB of a robots.txt; this much is plenty. */
export const ROBOTS_MAX_BYTES = 512 * 1024;
/** A sitemap may be 50 MB uncompressed (sitemaps.org); read that much whatever --max-bytes says. */
export const SITEMAP_MAX_BYTES = 50 * 1024 * 1024;
/** Hosts whose adaptive limit is tracked at most; past this the oldest is forgotten (it starts again at full speed). */
export const ADAPTIVE_MAX_HOSTS = 10_000;
/** robots.txt files remembered at most; past this, the oldest is forgotten (and fetched again if met again). */
export const ROBOTS_MAX_ORIGINS = 10_000;
/** A Crawl-delay longer than this is taken as this (a day between requests would stall the run), as a Retry-After is clamped at 60 s. */
export const MAX_CRAWL_DELAY_SECONDS = 60;
/** Past this many distinct hosts, the summary counts new hosts in its totals but does not track them one by one. */
export const STATS_MAX_HOSTS = 10_000;
/** `--save`: a path segment is cut to this many characters, and a path to this many folders (file systems' own limits are near). */
export const SAVE_MAX_SEGMENT = 80;
export const SAVE_MAX_DEPTH = 16;
/** Sitemaps nest through sitemap indexes at most this deep (the protocol allows one level; sites do more). */
export const SITEMAP_MAX_NESTING = 5;
/** A redirect's own body is read and dropped so its connection can be reused, up to this much. */
export const REDIRECT_BODY_BYTES = 64 * 1024;
/** The crawl queue keeps this many items in memory at each end and spills the middle to temporary files in chunks of it. */
export const SPILL_CHUNK_ITEMS = 10_000;

/**
 * URLs the pool holds at most (running, waiting for a busy host, or done and waiting for the
 * consumer): the backpressure bound of a run, twice the concurrency plus room for a burst.
 */
export function poolWindow(concurrency: number): number {
  return concurrency * 2 + 64;
}

/**
 * Cookies a run's jar holds at most; past this, the least recently set goes (browsers keep about as
 * many: Firefox 3000, Chrome 3300), so a run over millions of sites that each set one stays small.
 */
export const COOKIE_JAR_MAX_COOKIES = 3_000;
/** RFC 6265bis §5.7: a cookie whose name and value are longer than this together is ignored, as browsers do. */
export const COOKIE_MAX_BYTES = 4096;
/** A failed record names at most this many referring pages in `linkedFrom` (the rest are counted), as SPEC §9 asks. */
export const LINKED_FROM_MAX_URLS = 20;
/**
 * Failed records whose referring pages are found in one pass over the crawl's referrer log at its
 * end. It bounds the lists held at once (200,000 names at most), which live through the batch and
 * so are promoted by the garbage collector: at 50,000 the end of W5 peaked some 40 MB higher. A pass
 * over a 200,000-page crawl's log takes about 35 ms.
 */
export const LINKED_FROM_BATCH = 10_000;
