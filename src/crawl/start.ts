/**
 * A crawl, set up for a run: the frontier (what to fetch next) and the link scan of each fetched
 * page. The crawl's modules (an HTML tokenizer, the public-suffix list) load only when crawling.
 */
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import type { InputUrl } from "../urls/normalize.js";
import type { HashSet64 } from "../urls/seen-set.js";
import type { CrawlItem, CrawlSettings } from "./frontier.js";

export interface Crawl {
  /** The URLs to fetch: the input first-come, then the links found, each once. */
  items(): AsyncIterable<CrawlItem>;
  /**
   * A page is done (null: an item that was never fetched): its links (when it is HTML and not at the depth limit) are offered, and it no
   * longer counts as in flight. Call once per item taken, whatever became of it.
   * `storedLinks` (a response cache's hit: the page was not read) are offered instead of the body's.
   * Returns the links read from the body, or null when none were read.
   */
  pageDone(item: CrawlItem | null, outcome: FetchOutcome | null, storedLinks?: readonly string[] | null): readonly string[] | null;
}

/**
 * Starts a crawl over the judged input; `seen` is the run's one set of URLs taken. With
 * `readEveryPage` (a response cache keeps each page's links), links are read at the depth limit too.
 */
export async function startCrawl(
  settings: CrawlSettings,
  input: AsyncIterable<InputUrl>,
  seen: HashSet64,
  onWarning?: (warning: { option: string; message: string }) => void,
  readEveryPage = false,
): Promise<Crawl> {
  const [{ Frontier }, { scanLinks }, { decodeText, isHtml }] = await Promise.all([
    import("./frontier.js"),
    import("./links.js"),
    import("../extract/charset.js"),
  ]);
  const frontier = new Frontier(input, settings, seen, (pattern) =>
    onWarning?.({
      option: "crawl.include",
      message: `\`${pattern.source.replaceAll("\\/", "/")}\` matched no link: patterns are tested against the whole URL (https://host/path), not the path alone`,
    }),
  );
  return {
    items: () => frontier.items(),
    pageDone(item, outcome, storedLinks) {
      try {
        if (!item || !outcome) return null;
        let links = storedLinks ?? null;
        if (links === null) {
          const body = outcome.body;
          if (!body || (item.depth >= settings.maxDepth && !readEveryPage) || !isHtml(outcome.contentType, body)) return null;
          // Links are read before extraction, which may move the body to a parse thread.
          links = scanLinks(decodeText(body, outcome.contentType), outcome.finalUrl, settings.followNofollow).links;
        }
        if (item.depth >= settings.maxDepth) return links;
        seen.add(outcome.finalUrl);
        // Scope is measured from where an input URL landed (http://x/ redirecting to https://www.x/).
        frontier.offer(links, item.depth === 0 ? { ...item, seed: outcome.finalUrl } : item);
        return links;
      } finally {
        frontier.finished();
      }
    },
  };
}
