import type { HashSet64 } from "../urls/seen-set.js";
import type { InputUrl } from "../urls/normalize.js";
import { inScope } from "./scope.js";
import { SpillQueue } from "./spill-queue.js";
import type { Scope } from "./scopes.js";

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
}

/** One URL to fetch, with where the crawl found it. */
export interface CrawlItem {
  input: InputUrl;
  depth: number;
  /** The page that linked here; null for an input URL. */
  parent: string | null;
  /** The input URL this chain started at: the scope is measured from it. */
  seed: string;
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
  private inFlight = 0;
  private taken = 0;
  private wake: (() => void) | null = null;

  constructor(
    private readonly source: AsyncIterable<InputUrl>,
    private readonly settings: CrawlSettings,
    private readonly seen: HashSet64,
  ) {}

  /** Offers the links of a fetched page; the new, in-scope, wanted ones are queued. */
  offer(links: readonly string[], from: CrawlItem): void {
    if (from.depth >= this.settings.maxDepth) return;
    const seed = new URL(from.seed);
    for (const link of links) {
      if (!wantedLink(link, seed, this.settings)) continue;
      if (!this.seen.add(link)) continue;
      this.queue.push(linkItem(link, from));
    }
    this.notify();
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

  private next(): CrawlItem | undefined {
    return this.queue.shift();
  }

  /** The items to fetch, in the order to fetch them. */
  async *items(): AsyncGenerator<CrawlItem> {
    try {
      yield* this.ordered();
    } finally {
      this.queue.dispose();
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
        this.inFlight++;
        this.taken++;
        yield { input: next.value, depth: 0, parent: null, seed: url };
        continue;
      }
      if (this.inFlight === 0) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    await input.return?.();
  }
}
