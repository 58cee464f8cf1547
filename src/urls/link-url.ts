/**
 * A link as a crawl reads it: where an `href` leads (resolved, normalised, http(s) only) and whether
 * the page asks for it not to be followed. The one reading for `scanLinks` (`--crawl`),
 * `followLinks` (`--follow`, recipes) and link checks.
 */
import { normalizeUrl } from "./normalize.js";

/**
 * `href` resolved against `base`, normalised (fragment dropped, default port dropped, host
 * lower-cased), http(s) only; null for anything else (`mailto:`, `javascript:`, `data:`, garbage).
 */
export function linkUrl(href: string, base: string | URL): string | null {
  let absolute: string;
  try {
    absolute = new URL(href.trim(), base).href;
  } catch {
    return null;
  }
  const judged = normalizeUrl(absolute);
  return judged.ok ? judged.url : null;
}

/** What relative links resolve against: `<base href>` (raw, or null) against the page's URL; an unusable one is ignored, as browsers do. */
export function documentBase(base: string | null, pageUrl: string): string {
  if (base === null) return pageUrl;
  try {
    return new URL(base, pageUrl).href;
  } catch {
    return pageUrl;
  }
}

/** Whether a link's `rel` attribute holds `nofollow`. */
export function relSaysNofollow(rel: string | undefined): boolean {
  return rel !== undefined && /(^|\s)nofollow(\s|$)/i.test(rel);
}

/** Whether a `<meta name="robots">` content forbids following the page's links (`nofollow`, `none`). */
export function robotsMetaSaysNofollow(content: string | undefined): boolean {
  return content !== undefined && /\b(nofollow|none)\b/i.test(content);
}
