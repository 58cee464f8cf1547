/**
 * A crawl's link checks (SPEC §9), put together; loaded only when `checkLinks` or `checkFragments`
 * is on. For each page whose links are read it decides:
 * - which links are checked, not crawled: `a[href]` links out of scope, and with `"all"` every
 *   resource the page loads (any origin); `crawl.exclude` applies, `crawl.include` (what to follow)
 *   does not. They are queued as items of their own (`check`), taken once each like any URL;
 * - which `page#id` links to look up (fragments.ts), with the page's own ids;
 * - whom it links to, for `linkedFrom` (referrers.ts), leaving out URLs already known to be ok.
 * And the run's records pass through `records()`: ok ones go on, failed ones wait for the end
 * (held-failures.ts) to come out with every page that links to them.
 */
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import type { TrawlRecord } from "../record.js";
import type { CrawlPlace } from "../records/make-record.js";
import { linkUrl } from "../urls/link-url.js";
import { normalizeUrl } from "../urls/normalize.js";
import { HashSet64 } from "../urls/seen-set.js";
import type { CheckSettings } from "./check-options.js";
import { FragmentIndex } from "./fragments.js";
import type { CrawlItem, CrawlSettings } from "./frontier.js";
import { HeldFailures } from "./held-failures.js";
import { PageTags, readTags } from "./page-tags.js";
import { ReferrerLog } from "./referrers.js";
import { inScope } from "./scope.js";

/** What the checks read of one fetched HTML page (see `LinkChecks.readPage`). */
export interface PageRead {
  /** For `scanLinks`: every start tag of the page's link pass; undefined when no tag is of interest. */
  onTag: ((name: string, attributes: Record<string, string>) => void) | undefined;
  /** For a page whose links are not read (past the depth limit, or a checked link): its ids alone. */
  readIds(html: string): void;
  /** The page's links (as `scanLinks` gave them, offered to the frontier from `from`) and its tags are read. */
  linksRead(links: readonly string[], from: CrawlItem): void;
}

export class LinkChecks {
  /** URLs (and `page#id` keys) known to be ok: links to them need not be logged. */
  private readonly ok = new HashSet64();
  private readonly log = new ReferrerLog();
  private readonly held = new HeldFailures();
  private readonly fragments: FragmentIndex | null;
  // The last seed's origin (`https://host/`), for the in-scope test of the common scope without a parse.
  private seed = "";
  private seedUrl: URL | null = null;
  private seedOrigin = "";

  constructor(
    private readonly settings: CrawlSettings,
    private readonly check: CheckSettings,
    /** Queues a checked link (once: the frontier's seen-set decides). */
    private readonly enqueue: (item: CrawlItem) => void,
    /** Told of each failed record held (the caller's live counts). */
    private readonly onHeld?: ((record: TrawlRecord) => void) | undefined,
  ) {
    this.fragments = check.fragments
      ? new FragmentIndex(
          (record) => this.hold(record),
          (key) => this.ok.add(key),
        )
      : null;
  }

  /**
   * What to read of a fetched HTML page, or null when nothing: `follows` says whether the crawl reads
   * its links; its ids are read when fragments are checked and it answered with an accepted status.
   */
  readPage(item: CrawlItem, outcome: FetchOutcome, follows: boolean): PageRead | null {
    const readsIds = this.fragments !== null && outcome.error === null && outcome.status !== null && this.check.accepts(outcome.status);
    if (!follows && !readsIds) return null;
    const wants = {
      ids: readsIds,
      fragmentLinks: follows && this.fragments !== null,
      resources: follows && this.check.links === "all",
      followNofollow: this.settings.followNofollow,
    };
    const tags = new PageTags(wants);
    const addIds = () => {
      if (!readsIds || !item.input.ok) return;
      const urls = outcome.finalUrl === item.input.url ? [item.input.url] : [item.input.url, outcome.finalUrl];
      this.fragments?.addPage(urls, tags.ids);
    };
    return {
      onTag: wants.ids || wants.fragmentLinks || wants.resources ? tags.onTag : undefined,
      readIds: (html) => {
        readTags(html, tags);
        addIds();
      },
      linksRead: (links, from) => {
        // First the page's own ids: its links to itself (`#top-of-section`) are settled with them.
        addIds();
        this.linksRead(links, from, tags, outcome.finalUrl);
      },
    };
  }

  private linksRead(links: readonly string[], from: CrawlItem, tags: PageTags, finalUrl: string): void {
    if (!from.input.ok) return;
    const page = from.input.url;
    const place: CrawlPlace = { depth: from.depth + 1, parent: page };
    const targets: string[] = [];
    const queue = (url: string, check: "status" | "ids") => {
      if (!this.excluded(url)) this.enqueue({ input: { ok: true, url }, depth: place.depth, parent: page, seed: from.seed, check });
    };
    // With fragments checked, a page out of scope is fetched (not just asked HEAD): a link to one of
    // its ids may turn up in any page, before or after.
    const pageCheck = this.fragments ? "ids" : "status";
    for (const link of links) {
      if (!this.ok.has(link)) targets.push(link);
      if (this.check.links && !this.inScope(link, from.seed)) queue(link, pageCheck);
    }
    const base = tags.resources.length > 0 || tags.fragmentHrefs.length > 0 ? tags.baseUrl(finalUrl) : finalUrl;
    if (tags.resources.length > 0) {
      const linked = new Set(links);
      for (const raw of tags.resources) {
        const url = linkUrl(raw, base);
        if (url === null || linked.has(url)) continue;
        linked.add(url);
        if (!this.ok.has(url)) targets.push(url);
        queue(url, "status");
      }
    }
    if (tags.fragmentHrefs.length > 0 && this.fragments) {
      // Without --check-links too, a page out of scope is fetched for a link into it (and only then).
      const outside = this.check.links
        ? null
        : (url: string) => {
            if (!this.inScope(url, from.seed)) queue(url, "ids");
          };
      this.fragmentLinks(links, tags, base, place, targets, outside);
    }
    this.log.add(page, targets);
  }

  /**
   * The page's `page#id` links: looked up (now or when their page is read), and logged as targets;
   * `outside` is told of each one's page (to fetch it when it is out of scope).
   */
  private fragmentLinks(
    links: readonly string[],
    tags: PageTags,
    base: string,
    place: CrawlPlace,
    targets: string[],
    outside: ((url: string) => void) | null,
  ): void {
    // Only links the crawl takes from this page (nofollow and non-http(s) links are not among them).
    const linked = new Set(links);
    const keys = new Set<string>();
    for (const raw of tags.fragmentHrefs) {
      let url: URL;
      try {
        url = new URL(raw.trim(), base);
      } catch {
        continue;
      }
      const fragment = url.hash.slice(1);
      if (fragment === "") continue;
      const judged = normalizeUrl(url.href);
      if (!judged.ok || !linked.has(judged.url)) continue;
      const key = `${judged.url}#${fragment}`;
      if (keys.has(key)) continue;
      keys.add(key);
      this.fragments?.link(judged.url, fragment, place);
      outside?.(judged.url);
      if (!this.ok.has(key)) targets.push(key);
    }
  }

  private excluded(url: string): boolean {
    return this.settings.exclude.some((pattern) => pattern.test(url));
  }

  private inScope(link: string, seed: string): boolean {
    if (seed !== this.seed) {
      this.seed = seed;
      this.seedUrl = new URL(seed);
      this.seedOrigin = `${this.seedUrl.origin}/`;
    }
    // A normalised URL of the seed's origin starts with it and a slash; no other URL does.
    if (this.settings.scope === "origin") return link.startsWith(this.seedOrigin);
    return inScope(new URL(link), this.seedUrl as URL, this.settings.scope);
  }

  /**
   * The run's records, as they finish: ok ones pass at once; failed ones (and missing fragments) are
   * held, and come out when the stream ends, each with `linkedFrom`.
   */
  async *records(stream: AsyncIterable<TrawlRecord | null>): AsyncGenerator<TrawlRecord> {
    try {
      for await (const record of stream) {
        if (record === null) continue;
        if (record.ok) {
          this.ok.add(record.url);
          yield record;
        } else {
          this.hold(record);
        }
      }
      this.fragments?.clear();
      yield* this.held.release(this.log);
    } finally {
      this.close();
    }
  }

  private hold(record: TrawlRecord): void {
    this.held.hold(record);
    this.onHeld?.(record);
  }

  /** Removes the temporary files. */
  close(): void {
    this.held.dispose();
    this.log.dispose();
  }
}
