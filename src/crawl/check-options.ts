import { invalidOption, optionError } from "../errors.js";

/** Which links a crawl checks besides the pages it crawls (SPEC §9). */
export type CheckLinks = false | "external" | "all";

/** How a crawl checks links, validated; part of the crawl's settings when any check is on. */
export interface CheckSettings {
  /** "external": `a[href]` links out of scope; "all": images, scripts, stylesheets … too. */
  links: CheckLinks;
  /** Fragments (`page#id`) are looked up in their page: EFRAGMENT when missing. */
  fragments: boolean;
  /** The statuses that count as ok (`accept`): a page's ids count only on such an answer. */
  accepts: (status: number) => boolean;
}

/**
 * Checks `checkLinks` and `checkFragments`; both need a crawl (only a crawl reads pages for links).
 * Returns undefined when neither is on.
 */
export function resolveChecks(
  checkLinks: unknown,
  checkFragments: unknown,
  crawling: boolean,
  accepts: (status: number) => boolean,
): CheckSettings | undefined {
  if (checkLinks !== undefined && checkLinks !== false && checkLinks !== "external" && checkLinks !== "all") {
    throw invalidOption("checkLinks", 'false, "external" or "all"', checkLinks);
  }
  if (checkFragments !== undefined && typeof checkFragments !== "boolean")
    throw invalidOption("checkFragments", "true or false", checkFragments);
  const links = checkLinks ?? false;
  const fragments = checkFragments ?? false;
  if (!links && !fragments) return undefined;
  if (!crawling) throw optionError(links ? "checkLinks" : "checkFragments", "needs crawl: only a crawl reads pages for their links");
  return { links, fragments, accepts };
}

/**
 * Whether an answer's body may hold ids worth reading (a page checked with `checkFragments`): HTML,
 * or no Content-Type (sniffed when read). Any other body is not read: a link to a large PDF is a
 * good link, not one too large.
 */
export function mayHoldIds(contentType: string | null): boolean {
  return contentType === null || /\bx?html\b/i.test(contentType);
}
