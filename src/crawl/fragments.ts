/**
 * `checkFragments`: whether the page of a link `page#fragment` has an element with that id (HTML's
 * "indicated part of the document": an `id`, else an `<a name>`). A page's ids are kept as 64-bit
 * hashes of `page#id` (16 bytes each, whatever their length), under its URL and its final URL, with
 * the page's URL itself as the mark that its ids are known. A link found before its page is read
 * waits for it; one found after is settled at once. Each missing `page#fragment` gives one record.
 */
import type { TrawlRecord } from "../record.js";
import { type CrawlPlace, fragmentRecord } from "../records/make-record.js";
import { HashSet64 } from "../urls/seen-set.js";

/** Fragments that name no element and are never missing (HTML, WHATWG URL, common practice). */
function needsNoElement(fragment: string, decoded: string): boolean {
  // "" and "top" are the top of the document; ":~:" starts a text directive (scroll-to-text);
  // "#/…" and "#!…" are a single-page application's routes, read by its script, not the document.
  return (
    fragment === "" || decoded.toLowerCase() === "top" || fragment.startsWith(":~:") || fragment.startsWith("/") || fragment.startsWith("!")
  );
}

/** A fragment as the document compares it: percent-decoded as UTF-8, else as written. */
function decodeFragment(fragment: string): string {
  if (!fragment.includes("%")) return fragment;
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

export class FragmentIndex {
  private readonly ids = new HashSet64();
  private readonly reported = new HashSet64();
  /** Links waiting for their page: page URL → fragment → where the first link was found. */
  private readonly waiting = new Map<string, Map<string, CrawlPlace>>();

  constructor(
    /** A missing fragment's record (once per `page#fragment`). */
    private readonly onMissing: (record: TrawlRecord) => void,
    /** A fragment found (its `page#fragment` key): nothing more to remember about its links. */
    private readonly onFound: (key: string) => void,
  ) {}

  /** A page read with an ok answer: its ids, under each of its URLs; the links waiting for it are settled. */
  addPage(urls: readonly string[], ids: readonly string[]): void {
    for (const url of urls) {
      for (const id of ids) this.ids.add(`${url}#${id}`);
      this.ids.add(url);
    }
    for (const url of urls) {
      const waiting = this.waiting.get(url);
      if (waiting === undefined) continue;
      this.waiting.delete(url);
      for (const [fragment, place] of waiting) this.settle(url, fragment, place);
    }
  }

  /** A link `page#fragment` (both as the URL serialises them) found at `place`. */
  link(page: string, fragment: string, place: CrawlPlace): void {
    if (needsNoElement(fragment, decodeFragment(fragment))) {
      this.onFound(`${page}#${fragment}`);
      return;
    }
    if (this.ids.has(page)) {
      this.settle(page, fragment, place);
      return;
    }
    let waiting = this.waiting.get(page);
    if (waiting === undefined) {
      waiting = new Map();
      this.waiting.set(page, waiting);
    }
    if (!waiting.has(fragment)) waiting.set(fragment, place);
  }

  private settle(page: string, fragment: string, place: CrawlPlace): void {
    const key = `${page}#${fragment}`;
    const decoded = decodeFragment(fragment);
    if (this.ids.has(key) || (decoded !== fragment && this.ids.has(`${page}#${decoded}`))) {
      this.onFound(key);
      return;
    }
    if (this.reported.add(key)) this.onMissing(fragmentRecord(page, fragment, decoded, place));
  }

  /**
   * Links still waiting when the crawl ends point at pages that were never read as ok HTML (a
   * failed page has its own record; a PDF's fragments are no ids): they are dropped.
   */
  clear(): void {
    this.waiting.clear();
  }
}
