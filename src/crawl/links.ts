import { Parser } from "htmlparser2";
import { documentBase, linkUrl, relSaysNofollow, robotsMetaSaysNofollow } from "../urls/link-url.js";

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
          if (!followNofollow && relSaysNofollow(attributes.rel)) return;
          hrefs.push(href);
        } else if (name === "base" && base === null && attributes.href !== undefined) {
          base = attributes.href;
        } else if (name === "meta" && (attributes.name ?? "").toLowerCase() === "robots") {
          if (robotsMetaSaysNofollow(attributes.content)) pageNofollow = true;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  if (pageNofollow && !followNofollow) return { links: [] };
  const baseUrl = documentBase(base, pageUrl);
  const links: string[] = [];
  const seen = new Set<string>();
  for (const href of hrefs) {
    // mailto:, javascript:, data:, file: and the like are never followed.
    const url = linkUrl(href, baseUrl);
    if (url === null || seen.has(url)) continue;
    seen.add(url);
    links.push(url);
  }
  return { links };
}
