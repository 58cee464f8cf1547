/**
 * A crawl, set up for a run: the frontier (what to fetch next) and the link scan of each fetched
 * page. The crawl's modules (an HTML tokenizer, the public-suffix list) load only when crawling.
 */
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import type { TrawlRecord } from "../record.js";
import type { InputUrl } from "../urls/normalize.js";
import type { HashSet64 } from "../urls/seen-set.js";
import type { FollowedLink } from "../extract/follow-links.js";
import type { CrawlItem, CrawlSettings, SelectedLink } from "./frontier.js";
import type { CrawlJournal } from "./journal.js";
import type { LinkChecks, PageRead } from "./check-links.js";

export interface Crawl {
  /** The URLs to fetch: the input first-come, then the links found, each once. */
  items(): AsyncIterable<CrawlItem>;
  /**
   * A page is done (outcome null: an item that was never fetched): its links (following chosen
   * links: the ones its follow selectors picked, `selected`, known once it is extracted; else every
   * a[href], when it is HTML and not at the depth limit) are offered, and it no longer counts as in
   * flight. Call once per item taken, whatever became of it. `given`: the links the page's
   * extraction picked (following chosen links), or a response cache's stored links (a 304: the page
   * was not read), instead of its body's. Returns the page's links (for the cache), or null.
   */
  pageDone(item: CrawlItem, outcome: FetchOutcome | null, given?: readonly unknown[] | null): readonly unknown[] | null;
  /**
   * Following chosen links, a fetched page before its extraction (which may move its body to a parse
   * thread): link checks read its links, ids and resources here, and take them in `pageDone`.
   */
  pageRead?: ((item: CrawlItem, outcome: FetchOutcome) => void) | undefined;
  /**
   * The item's record is made (null: none, the run stopped before the item started), after
   * `pageDone`. Resolves true when the record is to be yielded. A shared crawl commits it here
   * with the page's links, and false means the page is another worker's now; a local crawl keeps
   * every record and has no such step.
   */
  recordDone?(item: CrawlItem, record: TrawlRecord | null): Promise<boolean>;
  /** Ends the crawl's files (the journal). */
  close?(): void;
  /**
   * The run's records pass through here. With link checks (`settings.check`), failed records are
   * held and come out when the crawl ends, with `linkedFrom` (check-links.ts); else as they are.
   */
  records?(stream: AsyncIterable<TrawlRecord | null>): AsyncIterable<TrawlRecord | null>;
}

/** The links a fetched page offers, and the item they are offered from. */
export interface FoundLinks {
  links: string[];
  /** The page's item; an input URL's seed is where it landed, which the scope is measured from. */
  from: CrawlItem;
}

/**
 * Loads the link scan (an HTML tokenizer) and returns the reader of a fetched page's links: null
 * when the page is not HTML, has no body, or sits at the depth limit (unless `readEveryPage`: a
 * response cache keeps every page's links, since a later run may go deeper).
 */
export async function loadLinkReader(
  settings: CrawlSettings,
  readEveryPage: boolean,
): Promise<(item: CrawlItem, outcome: FetchOutcome) => FoundLinks | null> {
  const [{ scanLinks }, { decodeText, isHtml }] = await Promise.all([import("./links.js"), import("../extract/charset.js")]);
  return (item, outcome) => {
    const body = outcome.body;
    if (!body || (item.depth >= settings.maxDepth && !readEveryPage) || !isHtml(outcome.contentType, body)) return null;
    // Links are read before extraction, which may move the body to a parse thread.
    const { links } = scanLinks(decodeText(body, outcome.contentType), outcome.finalUrl, settings.followNofollow);
    // Scope is measured from where an input URL landed (http://x/ redirecting to https://www.x/).
    return { links, from: fromPage(item, outcome) };
  };
}

/** The item links are offered from: an input URL's scope is measured from where it landed. */
export function fromPage(item: CrawlItem, outcome: FetchOutcome): CrawlItem {
  return item.depth === 0 ? { ...item, seed: outcome.finalUrl } : item;
}

/** The links follow selectors picked, as the frontier takes them: kind by index, `from` when that kind carries. */
export function selectedLinks(links: readonly FollowedLink[], kinds: CrawlKinds): SelectedLink[] {
  return links.map((link) => {
    const kind = kinds === null || link.kind === null ? 0 : kinds.findIndex((each) => each.name === link.kind);
    const carry = kinds?.[kind]?.carry === true;
    return { url: link.url, kind: Math.max(kind, 0), from: carry ? link.item : undefined, nofollow: link.nofollow };
  });
}

/** A recipe's kinds, by plan index: a followed link's kind is looked up by name, `carry` says what goes to `from`. */
export type CrawlKinds = readonly { name: string; carry: boolean }[] | null;

/** What a local crawl is told besides its settings. */
export interface LocalCrawlOptions {
  onWarning?: ((warning: { option: string; message: string }) => void) | undefined;
  /** Every URL the crawl will fetch, as it is queued (from the input or a page). */
  onQueued?: ((url: string) => void) | undefined;
  /** With link checks: a failed record is held until the crawl ends. */
  onHeld?: ((record: TrawlRecord) => void) | undefined;
  /** Pages already recorded (`--resume`): the journal queues only the others again. */
  done?: ((url: string) => boolean) | undefined;
  kinds?: CrawlKinds;
  /** A response cache keeps each page's links: they are read at the depth limit too. */
  readEveryPage?: boolean;
}

/** Starts a crawl over the judged input; `seen` is the run's one set of URLs taken. */
export async function startCrawl(
  settings: CrawlSettings,
  input: AsyncIterable<InputUrl>,
  seen: HashSet64,
  options: LocalCrawlOptions = {},
): Promise<Crawl> {
  const { onWarning, onHeld, onQueued, done, kinds = null, readEveryPage = false } = options;
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
    journal || onQueued
      ? (item) => {
          log?.noteItem(item);
          onQueued?.(item.input.ok ? item.input.url : item.input.line);
        }
      : null,
  );
  if (journal && settings.journal !== undefined) {
    log = await journal.CrawlJournal.open(settings.journal, done, seen, (item) => {
      // Queued by the run that was stopped: counted again for this run's totals, not journaled again.
      onQueued?.(item.input.ok ? item.input.url : item.input.line);
      frontier.restore(item);
    });
  }
  const checks: LinkChecks | null = settings.check
    ? new (await import("./check-links.js")).LinkChecks(settings, settings.check, (item) => frontier.enqueue(item), onHeld)
    : null;
  /** Following chosen links with checks: each page's links and tags, read before its extraction, until its links are known. */
  const readForChecks = new Map<CrawlItem, { page: PageRead; links: string[] }>();
  /** Offers a page's links (unless it sits at the depth limit); returns them for the cache. */
  const offer = (item: CrawlItem, outcome: FetchOutcome, given: readonly unknown[] | null | undefined): readonly unknown[] | null => {
    const from = fromPage(item, outcome);
    // A checked link is never extracted: its ids are read below, as in a plain crawl.
    if (settings.links === "selected" && item.check === undefined) {
      const read = readForChecks.get(item);
      readForChecks.delete(item);
      const selected = (given ?? null) as readonly FollowedLink[] | null;
      if (selected !== null && selected.length > 0) {
        if (outcome.finalUrl !== (item.input.ok ? item.input.url : null)) seen.add(outcome.finalUrl);
        frontier.offerSelected(selectedLinks(selected, kinds), from, kinds !== null && kinds.length > 1);
      }
      // The checks take every a[href] of the page, followed or not (its links out of scope, its fragments).
      read?.page.linksRead(read.links, from);
      return selected;
    }
    const follows = item.depth < settings.maxDepth && item.check === undefined;
    // A cache hit's stored links stand in for the body's.
    if (given !== null && given !== undefined) {
      if (follows) {
        seen.add(outcome.finalUrl);
        frontier.offer(given as readonly string[], from);
      }
      return given;
    }
    const body = outcome.body;
    if (!body || !isHtml(outcome.contentType, body)) return null;
    // Link checks read a page's ids, resources and fragment links in the pass that reads its links.
    const page = checks?.readPage(item, outcome, follows) ?? null;
    if (!follows && (page !== null || !readEveryPage)) {
      page?.readIds(decodeText(body, outcome.contentType));
      return null;
    }
    // Links are read before extraction, which may move the body to a parse thread.
    const { links } = scanLinks(decodeText(body, outcome.contentType), outcome.finalUrl, settings.followNofollow, page?.onTag);
    if (!follows) return links;
    seen.add(outcome.finalUrl);
    frontier.offer(links, from);
    page?.linksRead(links, from);
    return links;
  };
  return {
    items: () => frontier.items(),
    pageRead:
      checks && settings.links === "selected"
        ? (item, outcome) => {
            const body = outcome.body;
            if (item.check !== undefined || !body || !isHtml(outcome.contentType, body)) return;
            // Read as a plain crawl reads a page: its tags with its links, or past the depth limit its ids alone.
            const follows = item.depth < settings.maxDepth;
            const page = checks.readPage(item, outcome, follows);
            if (page === null) return;
            const html = decodeText(body, outcome.contentType);
            if (!follows) page.readIds(html);
            else readForChecks.set(item, { page, links: scanLinks(html, outcome.finalUrl, settings.followNofollow, page.onTag).links });
          }
        : undefined,
    pageDone(item, outcome, given) {
      try {
        if (!outcome) return null;
        if (log && outcome.finalUrl !== (item.input.ok ? item.input.url : null)) log.noteSeen(outcome.finalUrl);
        return offer(item, outcome, given);
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
