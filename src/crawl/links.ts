import { Parser } from "htmlparser2";
import { normalizeUrl } from "../urls/normalize.js";

/** The links of one page that a crawl may follow. */
export interface PageLinks {
  /** Absolute, normalised http(s) URLs of `a[href]`, once each, in document order. */
  links: string[];
}

/**
 * Collects a page's `a[href]` links in one tokenizer pass (no DOM): resolved against `<base href>` and
 * the page URL, normalised (fragment dropped, default port dropped, host lower-cased), http(s) only.
 * `rel="nofollow"` links, and every link of a page whose `<meta name="robots">` says nofollow, are
 * left out unless `followNofollow`. `onTag`, when given, sees every start tag of the same pass (link
 * checks read ids and assets there: one tokenizer pass per page).
 */
export function scanLinks(
  html: string,
  pageUrl: string,
  followNofollow: boolean,
  onTag?: (name: string, attributes: Record<string, string>) => void,
): PageLinks {
  const hrefs: string[] = [];
  let base: string | null = null;
  let pageNofollow = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        onTag?.(name, attributes);
        if (name === "a") {
          const href = attributes.href;
          if (href === undefined) return;
          const rel = (attributes.rel ?? "").toLowerCase().split(/\s+/);
          if (!followNofollow && rel.includes("nofollow")) return;
          hrefs.push(href);
        } else if (name === "base" && base === null && attributes.href !== undefined) {
          base = attributes.href;
        } else if (name === "meta" && (attributes.name ?? "").toLowerCase() === "robots") {
          if (/\b(nofollow|none)\b/i.test(attributes.content ?? "")) pageNofollow = true;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  if (pageNofollow && !followNofollow) return { links: [] };
  let baseUrl = pageUrl;
  if (base !== null) {
    try {
      baseUrl = new URL(base, pageUrl).href;
    } catch {
      // an unusable <base href> is ignored, as browsers do
    }
  }
  const links: string[] = [];
  const seen = new Set<string>();
  for (const href of hrefs) {
    let absolute: string;
    try {
      absolute = new URL(href.trim(), baseUrl).href;
    } catch {
      continue;
    }
    // mailto:, javascript:, data:, file: and the like are never followed.
    const judged = normalizeUrl(absolute);
    if (!judged.ok || seen.has(judged.url)) continue;
    seen.add(judged.url);
    links.push(judged.url);
  }
  return { links };
}
