import type { ExtractedValue } from "../record.js";
import type { HashSet64 } from "../urls/seen-set.js";
import type { InputUrl } from "../urls/normalize.js";
import { inScope } from "./scope.js";
import { SpillQueue } from "./spill-queue.js";
import type { Scope } from "./scopes.js";
import type { CheckSettings } from "./check-options.js";

/** How a crawl follows links, validated. */
export interface CrawlSettings {
  /** Links are followed from pages of depth < maxDepth (input URLs are depth 0). */
  maxDepth: number;
  scope: Scope;
  include: RegExp[];
  exclude: RegExp[];
  /** Pages taken at most, input URLs included; Infinity for no limit. */
  maxPages: number;
  followNofollow: boolean;
  /** Which links a page offers: every `a[href]` (a plain crawl), or those its follow selectors pick. */
  links: "anchors" | "selected";
  /** The crawl journal's file, when the crawl is to be resumable (see journal.ts). */
  journal?: string | undefined;
  /** Link checks (`checkLinks`, `checkFragments`), when any is on. */
  check?: CheckSettings | undefined;
}

/** One URL to fetch, with where the crawl found it. */
export interface CrawlItem {
  input: InputUrl;
  depth: number;
  /** The page that linked here; null for an input URL. */
  parent: string | null;
  /** The input URL this chain started at: the scope is measured from it. */
  seed: string;
  /**
   * A link checked, not crawled (`checkLinks`): `"status"` asks HEAD (then GET) for the status alone,
   * `"ids"` GETs the page to read its ids (`checkFragments`); neither is followed. Absent for a page.
   */
  check?: "status" | "ids";
  /** The kind of page (a recipe's kind, by index); absent for the first kind. */
  kind?: number;
  /** With a recipe kind that carries: the item of the referring page the link sat in, or null. */
  from?: { [key: string]: ExtractedValue } | null;
}

/** A link a page's follow selectors picked, with the kind of page it leads to and the item it sat in. */
export interface SelectedLink {
  url: string;
  /** The kind's index; 0 for plain `follow`. */
  kind: number;
  /** What goes to the new item's `from` (the referring item when its kind carries); undefined for none. */
  from: { [key: string]: ExtractedValue } | null | undefined;
  nofollow: boolean;
}

/** Whether a link is followed: in scope (measured from `seed`), included and not excluded. */
export function wantedLink(link: string, seed: URL, settings: CrawlSettings): boolean {
  const { include, exclude, scope } = settings;
  if (!inScope(new URL(link), seed, scope)) return false;
  if (include.length > 0 && !include.some((pattern) => pattern.test(link))) return false;
  return !exclude.some((pattern) => pattern.test(link));
}

/** The item a followed link becomes: one level below the page it was found on. */
export function linkItem(link: string, from: CrawlItem): CrawlItem {
  return { input: { ok: true, url: link }, depth: from.depth + 1, parent: from.input.ok ? from.input.url : null, seed: from.seed };
}

/**
 * The crawl's work list: the input URLs, then every new in-scope link the fetched pages offer,
 * until both run dry and nothing is in flight. Discovered links are taken before more input, which
 * keeps the queue short; every URL is taken once (the `seen` set holds 64-bit hashes).
 */
export class Frontier {
  private readonly queue = new SpillQueue<CrawlItem>();
  /**
   * Links to another page of the kind they were found on (a recipe's pagination: list → list), taken
   * before the rest. A paginated site is a chain, each next page known only once the one before is
   * read: fetching the chain first keeps it from waiting behind every detail page found so far.
   * Usually small (one or two links a page), but a kind that links to its own kind from every page
   * (related books) makes it as long as the crawl: it spills like the other queue.
   */
  private readonly chain = new SpillQueue<CrawlItem>();
  private inFlight = 0;
  private taken = 0;
  private wake: (() => void) | null = null;

  /** Which `include` patterns matched a link so far (a pattern that never does is worth a warning). */
  private readonly includeMatched: boolean[];

  constructor(
    private readonly source: AsyncIterable<InputUrl>,
    private readonly settings: CrawlSettings,
    private readonly seen: HashSet64,
    private readonly onUnmatchedInclude: (pattern: RegExp) => void = () => {},
    /** Told of every item taken from the input or queued from a page (the crawl journal). */
    private readonly onItem: ((item: CrawlItem) => void) | null = null,
  ) {
    this.includeMatched = settings.include.map(() => false);
  }

  /** Offers the links of a fetched page; the new, in-scope, wanted ones are queued. */
  offer(links: readonly string[], from: CrawlItem): void {
    if (from.depth >= this.settings.maxDepth) return;
    const seed = new URL(from.seed);
    for (const link of links) {
      if (!this.wanted(link, seed)) continue;
      if (!this.seen.add(link)) continue;
      const item = linkItem(link, from);
      this.onItem?.(item);
      this.queue.push(item);
    }
    this.notify();
  }

  /**
   * Offers the links a page's follow selectors picked (`follow`, a recipe): each in scope, wanted and
   * new is queued as its kind, carrying what the link sat in when the kind says so.
   */
  offerSelected(links: readonly SelectedLink[], from: CrawlItem, kindsDiffer = false): void {
    if (from.depth >= this.settings.maxDepth) return;
    const seed = new URL(from.seed);
    const parent = from.input.ok ? from.input.url : null;
    for (const link of links) {
      if (link.nofollow && !this.settings.followNofollow) continue;
      if (!this.wanted(link.url, seed)) continue;
      if (!this.seen.add(link.url)) continue;
      const item: CrawlItem = { input: { ok: true, url: link.url }, depth: from.depth + 1, parent, seed: from.seed };
      if (link.kind !== 0) item.kind = link.kind;
      if (link.from !== undefined) item.from = link.from;
      this.onItem?.(item);
      if (kindsDiffer && link.kind === (from.kind ?? 0)) this.chain.push(item);
      else this.queue.push(item);
    }
    this.notify();
  }

  /** Queues a link to check (`item.check`), unless its URL was taken or queued already. */
  enqueue(item: CrawlItem): void {
    if (!item.input.ok || !this.seen.add(item.input.url)) return;
    this.onItem?.(item);
    this.queue.push(item);
    this.notify();
  }

  /** Queues an item of an earlier run again (from the crawl journal; already in `seen`). */
  restore(item: CrawlItem): void {
    this.queue.push(item);
  }

  private wanted(link: string, seed: URL): boolean {
    const { include, exclude, scope } = this.settings;
    if (!inScope(new URL(link), seed, scope)) return false;
    if (include.length > 0 && !this.included(link)) return false;
    return !exclude.some((pattern) => pattern.test(link));
  }

  /** Whether a link matches an include pattern; every pattern that has not matched yet is tried. */
  private included(link: string): boolean {
    let hit = false;
    const { include } = this.settings;
    for (let index = 0; index < include.length; index++) {
      if (hit && this.includeMatched[index]) continue;
      if ((include[index] as RegExp).test(link)) {
        hit = true;
        this.includeMatched[index] = true;
      }
    }
    return hit;
  }

  /** Marks one taken item as finished (its links, if any, offered first). */
  finished(): void {
    this.inFlight--;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private reportUnmatched(): void {
    this.settings.include.forEach((pattern, index) => {
      if (!this.includeMatched[index]) this.onUnmatchedInclude(pattern);
    });
  }

  private next(): CrawlItem | undefined {
    // The chain is empty most of the time: asked first only when it holds something.
    return (this.chain.length > 0 ? this.chain.shift() : undefined) ?? this.queue.shift();
  }

  /** The items to fetch, in the order to fetch them. */
  async *items(): AsyncGenerator<CrawlItem> {
    try {
      yield* this.ordered();
    } finally {
      this.queue.dispose();
      this.chain.dispose();
    }
  }

  private async *ordered(): AsyncGenerator<CrawlItem> {
    const input = this.source[Symbol.asyncIterator]();
    let inputDone = false;
    while (this.taken < this.settings.maxPages) {
      const queued = this.next();
      if (queued) {
        this.inFlight++;
        this.taken++;
        yield queued;
        continue;
      }
      if (!inputDone) {
        const next = await input.next();
        if (next.done) {
          inputDone = true;
          continue;
        }
        const url = next.value.ok ? next.value.url : next.value.line;
        const item: CrawlItem = { input: next.value, depth: 0, parent: null, seed: url };
        this.onItem?.(item);
        this.inFlight++;
        this.taken++;
        yield item;
        continue;
      }
      if (this.inFlight === 0) {
        this.reportUnmatched();
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    await input.return?.();
  }
}
