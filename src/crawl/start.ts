/**
 * A crawl, set up for a run: the frontier (what to fetch next) and the link scan of each fetched
 * page. The crawl's modules (an HTML tokenizer, the public-suffix list) load only when crawling.
 */
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import type { InputUrl } from "../urls/normalize.js";
import type { HashSet64 } from "../urls/seen-set.js";
import type { CrawlItem, CrawlSettings } from "./frontier.js";
import type { CrawlJournal } from "./journal.js";
import type { TrawlRecord } from "../record.js";
import type { LinkChecks } from "./check-links.js";

export interface Crawl {
  /** The URLs to fetch: the input first-come, then the links found, each once. */
  items(): AsyncIterable<CrawlItem>;
  /**
   * A page is done (null: an item that was never fetched): its links (when it is HTML and not at the depth limit) are offered, and it no
   * longer counts as in flight. Call once per item taken, whatever became of it.
   */
  pageDone(item: CrawlItem | null, outcome: FetchOutcome | null): void;
  /** Ends the crawl's files (the journal). */
  close(): void;
  /**
   * The run's records pass through here. With link checks (`settings.check`), failed records are
   * held and come out when the crawl ends, with `linkedFrom` (check-links.ts); else as they are.
   */
  records(stream: AsyncIterable<TrawlRecord | null>): AsyncIterable<TrawlRecord | null>;
}

/** Starts a crawl over the judged input; `seen` is the run's one set of URLs taken. */
export async function startCrawl(
  settings: CrawlSettings,
  input: AsyncIterable<InputUrl>,
  seen: HashSet64,
  onWarning?: (warning: { option: string; message: string }) => void,
  done?: (url: string) => boolean,
): Promise<Crawl> {
  const [{ Frontier }, { scanLinks }, { decodeText, isHtml }] = await Promise.all([
    import("./frontier.js"),
    import("./links.js"),
    import("../extract/charset.js"),
  ]);
  const journal = settings.journal === undefined ? null : await import("./journal.js");
  let log: CrawlJournal | null = null;
  const frontier = new Frontier(
    input,
    settings,
    seen,
    (pattern) =>
      onWarning?.({
        option: "crawl.include",
        message: `\`${pattern.source.replaceAll("\\/", "/")}\` matched no link: patterns are tested against the whole URL (https://host/path), not the path alone`,
      }),
    journal ? (item) => log?.noteItem(item) : null,
  );
  if (journal && settings.journal !== undefined) {
    log = await journal.CrawlJournal.open(settings.journal, done, seen, (item) => frontier.restore(item));
  }
  const checks: LinkChecks | null = settings.check
    ? new (await import("./check-links.js")).LinkChecks(settings, settings.check, (item) => frontier.enqueue(item))
    : null;
  return {
    items: () => frontier.items(),
    pageDone(item, outcome) {
      try {
        const body = outcome?.body;
        if (outcome && log && outcome.finalUrl !== (item?.input.ok ? item.input.url : null)) log.noteSeen(outcome.finalUrl);
        if (!item || !outcome || !body || !isHtml(outcome.contentType, body)) return;
        const follows = item.depth < settings.maxDepth && item.check === undefined;
        // Link checks read a page's ids, resources and fragment links in the pass that reads its links.
        const page = checks?.readPage(item, outcome, follows) ?? null;
        if (!follows) return page?.readIds(decodeText(body, outcome.contentType));
        // Links are read before extraction, which may move the body to a parse thread.
        const { links } = scanLinks(decodeText(body, outcome.contentType), outcome.finalUrl, settings.followNofollow, page?.onTag);
        seen.add(outcome.finalUrl);
        // Scope is measured from where an input URL landed (http://x/ redirecting to https://www.x/).
        const from = item.depth === 0 ? { ...item, seed: outcome.finalUrl } : item;
        frontier.offer(links, from);
        page?.linksRead(links, from);
      } finally {
        // The journal holds this page's links before its record can be written.
        log?.flush();
        frontier.finished();
      }
    },
    close: () => {
      log?.close();
      checks?.close();
    },
    records: (stream) => (checks ? checks.records(stream) : stream),
  };
}
