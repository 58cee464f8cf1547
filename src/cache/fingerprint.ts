import { createHash } from "node:crypto";
import path from "node:path";
import { type ResolvedOptions, VERSION } from "../options.js";

/** The settings a fingerprint is made of: what shapes a record, or the links kept with it. */
export type FingerprintedOptions = Pick<ResolvedOptions, "plans" | "kinds" | "crawl" | "saveDir">;

// RegExps (filters, patterns) would otherwise turn into `{}` and two different ones look alike.
const replacer = (_key: string, value: unknown): unknown => (value instanceof RegExp ? `/${value.source}/${value.flags}` : value);

/**
 * The digest of the settings that shape a record (SPEC §10), made in this one place: a stored record
 * is re-emitted only for a run whose fingerprint is the same, else the URL is fetched plainly.
 *
 * - the selectors (names, CSS, attributes, in order): they make `data`;
 * - whether links are kept (crawling) and whether nofollow links count: a crawl re-offers the stored
 *   links, so a page stored without them, or with other ones, cannot stand in for a crawled page
 *   (scope, depth, include and exclude apply when links are offered, so they are not part of it);
 * - the `saveDir` folder: a record names the file its body was saved to;
 * - trawl's version: a new version may read the same page differently.
 *
 * - the extraction plans (fields, items, filters, follow selectors, a recipe's kinds and carry).
 *
 * New settings that shape a record belong here too.
 */
export function cacheFingerprint(options: FingerprintedOptions): string {
  const shape = {
    version: VERSION,
    // The extraction plans (fields, items, filters, follow selectors; one per recipe kind) and the kinds.
    plans: options.plans,
    kinds: options.kinds,
    links: options.crawl === null ? null : { followNofollow: options.crawl.followNofollow, mode: options.crawl.links },
    saveDir: options.saveDir === undefined ? null : path.resolve(options.saveDir),
  };
  return createHash("sha256").update(JSON.stringify(shape, replacer)).digest("base64url").slice(0, 22);
}
