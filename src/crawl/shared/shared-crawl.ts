import type { FetchOutcome } from "../../http/fetch-with-retry.js";
import type { TrawlRecord } from "../../record.js";
import type { InputUrl } from "../../urls/normalize.js";
import { HashSet64 } from "../../urls/seen-set.js";
import { type CrawlItem, type CrawlSettings, linkItem, wantedLink } from "../frontier.js";
import type { FollowedLink } from "../../extract/follow-links.js";
import { type Crawl, type CrawlKinds, type FoundLinks, fromPage, selectedLinks } from "../start.js";
import type { Claim, JsonValue, QueueEntry } from "./queue-entry.js";
import type { SharedFrontier } from "./shared-frontier.js";

/**
 * A crawl shared through Redis, as a run's `Crawl`: its items are claims on the job's queue, and a
 * page's record is committed with the page's links in one atomic step (`recordDone`), only while
 * this worker still holds the claim. This worker's input URLs are offered to the job as its queue
 * runs dry, so a long list is never copied into Redis at once.
 */

// Entries claimed per round trip at most.
const CLAIM_BATCH = 8;
// Input URLs read and offered per round trip.
const INPUT_BATCH = 256;

/** A claim taken, until its record is committed. */
interface Pending {
  claim: Claim;
  links: QueueEntry[];
  /** The links' URLs, known to be in the job's seen-set once the commit succeeds. */
  linkUrls: string[];
  /** Where the page landed, when a redirect took it elsewhere: marked seen before the commit. */
  finalUrl: string | null;
}

/** A queue entry for a crawl item: the URL (or the bad line), its place, and the rest as payload. */
export function entryOf(item: CrawlItem): QueueEntry {
  const { input, depth, parent, seed, ...rest } = item;
  const url = input.ok ? input.url : input.line;
  // Whatever else an item carries (a recipe's page kind, the item it came from) rides along as JSON.
  const payload = { ...rest } as { [key: string]: JsonValue };
  if (seed !== url) payload.seed = seed;
  if (!input.ok) payload.invalid = input.reason;
  return Object.keys(payload).length > 0 ? { url, depth, parent, payload } : { url, depth, parent };
}

/** The crawl item of a claimed entry (the inverse of `entryOf`). */
export function itemOf(entry: QueueEntry): CrawlItem {
  const { seed, invalid, ...rest } = (entry.payload ?? {}) as { [key: string]: JsonValue };
  const input: InputUrl = typeof invalid === "string" ? { ok: false, line: entry.url, reason: invalid } : { ok: true, url: entry.url };
  return { ...rest, input, depth: entry.depth, parent: entry.parent, seed: typeof seed === "string" ? seed : entry.url };
}

// The reason a wake-up aborts with: a value, since an abort without one builds a DOMException.
const WOKEN = Symbol("woken");

/**
 * Wakes the claim loop. A `notify` (a page done, once a page) only sets a flag unless the loop is
 * waiting; `signal()` aborts at the next `notify`, or at once if one came since `rearm`.
 */
class Waker {
  private woken = false;
  private controller: AbortController | null = null;
  notify(): void {
    this.woken = true;
    this.controller?.abort(WOKEN);
    this.controller = null;
  }
  rearm(): void {
    this.woken = false;
  }
  signal(): AbortSignal {
    if (this.woken) return AbortSignal.abort(WOKEN);
    this.controller ??= new AbortController();
    return this.controller.signal;
  }
}

/** Resolves once either signal aborts. */
function either(a: AbortSignal, b: AbortSignal): Promise<void> {
  if (a.aborted || b.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      a.removeEventListener("abort", done);
      b.removeEventListener("abort", done);
      resolve();
    };
    a.addEventListener("abort", done);
    b.addEventListener("abort", done);
  });
}

export interface SharedCrawlSettings {
  crawl: CrawlSettings;
  /**
   * Claims waiting or being fetched at most (a page being extracted and committed no longer counts):
   * enough to keep the pool busy, few enough to leave work to the others.
   */
  maxHeld: number;
  readLinks: (item: CrawlItem, outcome: FetchOutcome) => FoundLinks | null;
  /** A recipe's kinds (what a followed link's kind is, and whether it carries); null without. */
  kinds: CrawlKinds;
  signal: AbortSignal;
}

export class SharedCrawl implements Crawl {
  private readonly pending = new Map<CrawlItem, Pending>();
  /**
   * URLs known to be in the job's seen-set (pages claimed here, links committed here): a page's
   * links that are known are not sent again. Menus and footers repeat on every page of a site.
   */
  private readonly known = new HashSet64();
  private readonly waker = new Waker();
  private readonly input: AsyncIterator<InputUrl>;
  private inputDone = false;
  /** Claims taken and not yet fetched. */
  private held = 0;

  constructor(
    private readonly frontier: SharedFrontier,
    input: AsyncIterable<InputUrl>,
    private readonly settings: SharedCrawlSettings,
  ) {
    this.input = input[Symbol.asyncIterator]();
  }

  /** Claims from the job's queue, until the job is done (nothing queued or claimed anywhere). */
  async *items(): AsyncGenerator<CrawlItem> {
    const { signal, maxHeld } = this.settings;
    const minClaim = Math.max(1, Math.min(CLAIM_BATCH / 2, Math.floor(maxHeld / 5)));
    try {
      while (!signal.aborted) {
        // Rearmed before looking, so that a page finishing from here on cuts the wait below short.
        this.waker.rearm();
        // Claims go in batches: with the worker full, each page done would otherwise be one claim
        // round trip. Below its share, the worker waits for a few free places, unless it holds nothing.
        const free = maxHeld - this.held;
        if (free <= 0 || (free < minClaim && this.held > 0)) {
          await either(signal, this.waker.signal());
          continue;
        }
        const wanted = Math.min(CLAIM_BATCH, free);
        const claims = await this.frontier.claim(wanted);
        for (const claim of claims) yield this.take(claim);
        if (claims.length === wanted) continue;
        // The queue ran short: this worker's input comes next (discovered links go first, as locally).
        if (!this.inputDone) {
          await this.offerInput();
          continue;
        }
        if (claims.length > 0) continue;
        const state = await this.frontier.waitForWork({ signal: AbortSignal.any([signal, this.waker.signal()]) });
        if (state === "done") return;
      }
    } finally {
      if (!this.inputDone) await this.input.return?.();
    }
  }

  private take(claim: Claim): CrawlItem {
    const item = itemOf(claim.entry);
    this.known.add(claim.entry.url);
    this.pending.set(item, { claim, links: [], linkUrls: [], finalUrl: null });
    this.held++;
    return item;
  }

  private async offerInput(): Promise<void> {
    const entries: QueueEntry[] = [];
    while (entries.length < INPUT_BATCH) {
      const next = await this.input.next();
      if (next.done) {
        this.inputDone = true;
        break;
      }
      const input = next.value;
      entries.push(entryOf({ input, depth: 0, parent: null, seed: input.ok ? input.url : input.line }));
    }
    await this.frontier.offer(entries);
  }

  /**
   * Keeps the page's new links until its record is committed with them. A plain crawl's links are
   * read from the body, or with a response cache are the stored ones of a 304 (`given`), and are
   * returned for the cache to keep.
   */
  pageDone(item: CrawlItem, outcome: FetchOutcome | null, given?: readonly unknown[] | null): readonly unknown[] | null {
    const selected = (given ?? null) as readonly FollowedLink[] | null;
    const pending = this.pending.get(item);
    if (!pending) return null;
    this.held--;
    this.waker.notify();
    if (!outcome) return null;
    if (outcome.finalUrl !== pending.claim.entry.url) pending.finalUrl = outcome.finalUrl;
    const { crawl, kinds } = this.settings;
    if (crawl.links === "selected") {
      // Following chosen links (`follow`, a recipe): the page's extraction picked them, with their kind.
      if (!selected || item.depth >= crawl.maxDepth) return null;
      const from = fromPage(item, outcome);
      const seed = new URL(from.seed);
      for (const link of selectedLinks(selected, kinds)) {
        if ((link.nofollow && !crawl.followNofollow) || this.known.has(link.url) || !wantedLink(link.url, seed, crawl)) continue;
        const next = linkItem(link.url, from);
        if (link.kind !== 0) next.kind = link.kind;
        if (link.from !== undefined) next.from = link.from;
        pending.links.push(entryOf(next));
        pending.linkUrls.push(link.url);
      }
      return null;
    }
    // A cache hit's stored links stand in for the body's; kept for the cache at the depth limit too.
    const found =
      given === null || given === undefined
        ? this.settings.readLinks(item, outcome)
        : { links: given as readonly string[], from: fromPage(item, outcome) };
    if (!found) return null;
    if (item.depth >= crawl.maxDepth) return found.links;
    const seed = new URL(found.from.seed);
    for (const link of found.links) {
      if (this.known.has(link) || !wantedLink(link, seed, crawl)) continue;
      pending.links.push(entryOf(linkItem(link, found.from)));
      pending.linkUrls.push(link);
    }
    return found.links;
  }

  /**
   * Commits the record with the page's links. A page the run stopped (no record, or EABORTED) is
   * not committed: its claim goes back to the queue when the worker closes, for another to fetch.
   */
  async recordDone(item: CrawlItem, record: TrawlRecord | null): Promise<boolean> {
    const pending = this.pending.get(item);
    if (!pending) return false;
    this.pending.delete(item);
    try {
      if (record === null || record.error?.code === "EABORTED") return false;
      if (pending.finalUrl !== null) {
        await this.frontier.markSeen([pending.finalUrl]);
        this.known.add(pending.finalUrl);
      }
      const committed = await this.frontier.commit(pending.claim, { json: JSON.stringify(record), ok: record.ok }, pending.links);
      // Only a commit that went through put its links in the seen-set.
      if (committed) for (const url of pending.linkUrls) this.known.add(url);
      return committed;
    } finally {
      // Links may have come with the commit.
      this.waker.notify();
    }
  }
}
