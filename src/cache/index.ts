/**
 * The response cache behind `--cache <file>` (SPEC §10): what a URL's last 2xx response was, so a
 * repeat run asks with `If-None-Match` / `If-Modified-Since` and re-emits the stored record on a 304.
 *
 *   page-cache.ts      the store in a run: conditional fetches, hits, fresh records kept (loaded
 *                      only with a cache, by trawl.ts)
 *   fingerprint.ts     the digest of the settings that shape a record
 *   probe.ts           what open would refuse, checked without reading the entries (the CLI, early)
 *   defaults.ts        the default max age (a leaf: the options module reads it)
 *   response-cache.ts  the store: open, revalidation, revalidated (a 304), store, touch, close
 *   entry.ts           one URL's entry: its frame written, read back and checked
 *   validators.ts      RFC 9111 through http-cache-semantics: what may be kept, conditional headers, 304s
 *   frame.ts           the file's byte layout: header, checksummed frames
 *   load.ts            opening a file: its header checked, frames indexed, a torn or damaged tail cut
 *   compact.ts         rewriting the live entries to a temporary file renamed over the old one
 *   entry-table.ts     the in-memory index: URL hash → file offset, size, last seen
 *   file-window.ts     sequential reads through one buffer
 *   lock.ts            one process per cache file
 */
export type { CachedPage } from "./entry.js";
export {
  DEFAULT_CACHE_MAX_AGE_MS,
  ResponseCache,
  type ResponseCacheOptions,
  type ResponseToStore,
  type Revalidation,
} from "./response-cache.js";
export type { ConditionalHeaders, HeaderFields } from "./validators.js";
