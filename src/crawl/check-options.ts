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

/** What else the run does that link checks depend on. */
export interface CheckContext {
  crawling: boolean;
  /** A response cache: a page it answers with a 304 is not read. */
  cache: boolean;
  /** A crawl shared through Redis (`frontier`). */
  shared: boolean;
}

/**
 * Checks `checkLinks` and `checkFragments`; both need a crawl (only a crawl reads pages for links)
 * that reads every page it takes. Returns undefined when neither is on.
 */
export function resolveChecks(
  checkLinks: unknown,
  checkFragments: unknown,
  context: CheckContext,
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
  const option = links ? "checkLinks" : "checkFragments";
  if (!context.crawling) throw optionError(option, "needs crawl: only a crawl reads pages for their links");
  // Either would pass a broken link in silence: refused rather than half done.
  if (context.cache) {
    throw optionError(
      option,
      "cannot be combined with `cache`: a page the cache answers with a 304 is not read, and the checks need its links and ids",
    );
  }
  if (context.shared)
    throw optionError(option, "cannot be combined with `frontier` yet: a crawl shared through Redis does not check links");
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
