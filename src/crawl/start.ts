/**
 * A crawl, set up for a run: the frontier (what to fetch next) and the link scan of each fetched
 * page. The crawl's modules (an HTML tokenizer, the public-suffix list) load only when crawling.
 */
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import type { TrawlRecord } from "../record.js";
import type { InputUrl } from "../urls/normalize.js";
import type { HashSet64 } from "../urls/seen-set.js";
import type { CrawlItem, CrawlSettings } from "./frontier.js";

export interface Crawl {
  /** The URLs to fetch: the input first-come, then the links found, each once. */
  items(): AsyncIterable<CrawlItem>;
  /**
   * A page is done (outcome null: an item that was never fetched): its links (when it is HTML and
   * not at the depth limit) are offered, and it no longer counts as in flight. Call once per item
   * taken, whatever became of it.
   */
  pageDone(item: CrawlItem, outcome: FetchOutcome | null): void;
  /**
   * The item's record is made (null: none, the run stopped before the item started), after
   * `pageDone`. Resolves true when the record is to be yielded. A shared crawl commits it here
   * with the page's links, and false means the page is another worker's now; a local crawl keeps
   * every record and has no such step.
   */
  recordDone?(item: CrawlItem, record: TrawlRecord | null): Promise<boolean>;
}

/** The links a fetched page offers, and the item they are offered from. */
export interface FoundLinks {
  links: string[];
  /** The page's item; an input URL's seed is where it landed, which the scope is measured from. */
  from: CrawlItem;
}

/**
 * Loads the link scan (an HTML tokenizer) and returns the reader of a fetched page's links: null
 * when the page is not HTML, has no body, or sits at the depth limit.
 */
export async function loadLinkReader(settings: CrawlSettings): Promise<(item: CrawlItem, outcome: FetchOutcome) => FoundLinks | null> {
  const [{ scanLinks }, { decodeText, isHtml }] = await Promise.all([import("./links.js"), import("../extract/charset.js")]);
  return (item, outcome) => {
    const body = outcome.body;
    if (!body || item.depth >= settings.maxDepth || !isHtml(outcome.contentType, body)) return null;
    // Links are read before extraction, which may move the body to a parse thread.
    const { links } = scanLinks(decodeText(body, outcome.contentType), outcome.finalUrl, settings.followNofollow);
    // Scope is measured from where an input URL landed (http://x/ redirecting to https://www.x/).
    return { links, from: item.depth === 0 ? { ...item, seed: outcome.finalUrl } : item };
  };
}

/** Starts a crawl over the judged input; `seen` is the run's one set of URLs taken. */
export async function startCrawl(settings: CrawlSettings, input: AsyncIterable<InputUrl>, seen: HashSet64): Promise<Crawl> {
  const [{ Frontier }, readLinks] = await Promise.all([import("./frontier.js"), loadLinkReader(settings)]);
  const frontier = new Frontier(input, settings, seen);
  return {
    items: () => frontier.items(),
    pageDone(item, outcome) {
      try {
        const found = outcome ? readLinks(item, outcome) : null;
        if (!found || !outcome) return;
        seen.add(outcome.finalUrl);
        frontier.offer(found.links, found.from);
      } finally {
        frontier.finished();
      }
    },
  };
}
