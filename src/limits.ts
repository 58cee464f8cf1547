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
