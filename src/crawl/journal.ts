/**
 * The crawl journal: what lets a stopped crawl be resumed (SPEC §4). Every URL the crawl takes or
 * queues is appended to a file, one JSON line each, before the record of the page that led to it
 * can be written; a redirect's final URL is noted too, so that it is not fetched again. A later run
 * with the same journal reads it back: every URL in it counts as seen, and those without a record
 * (the caller's `done`) are queued again, so the crawl ends with the same pages as one never stopped.
 *
 * Lines are buffered per page and written with one synchronous write in the page's finish step:
 * a `kill -9` loses at most what no record depends on, and a torn last line is skipped on reading.
 */
import { closeSync, createReadStream, existsSync, openSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import type { CrawlItem } from "./frontier.js";

/** One journal line: an item the crawl took or queued, or (`seen`) a URL reached by a redirect. */
type JournalLine = { kind: "item"; url: string; place: Record<string, unknown> } | { kind: "seen"; url: string };

export class CrawlJournal {
  private pending = "";
  private fd: number | null;

  private constructor(file: string) {
    this.fd = openSync(file, "a");
  }

  /**
   * Opens the journal for appending. Before that, an existing one is read back: `seen` is told of
   * every URL, and `restore` gets each item whose page has no record yet (`done` says which have).
   */
  static async open(
    file: string,
    done: ((url: string) => boolean) | undefined,
    seen: { add(url: string): boolean },
    restore: (item: CrawlItem) => void,
  ): Promise<CrawlJournal> {
    if (existsSync(file)) {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const text of lines) {
        const line = parseLine(text);
        if (line === null) continue;
        if (line.kind === "seen") {
          seen.add(line.url);
          continue;
        }
        // A URL journaled twice (taken from the input, then found as a link) is restored once.
        if (seen.add(line.url) && !done?.(line.url)) {
          restore({ ...line.place, input: { ok: true, url: line.url } } as unknown as CrawlItem);
        }
      }
    }
    return new CrawlJournal(file);
  }

  /** Notes an item taken or queued (written with the page's next flush). */
  noteItem(item: CrawlItem): void {
    if (!item.input.ok) return;
    const { input, ...place } = item;
    this.pending += `${JSON.stringify({ url: input.url, ...place })}\n`;
  }

  /** Notes a URL reached by a redirect: seen, never to be fetched again. */
  noteSeen(url: string): void {
    this.pending += `${JSON.stringify({ seen: url })}\n`;
  }

  /** Writes what was noted, synchronously: called before the page's record can be written. */
  flush(): void {
    if (this.pending === "" || this.fd === null) return;
    writeSync(this.fd, this.pending);
    this.pending = "";
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function parseLine(text: string): JournalLine | null {
  if (text === "") return null;
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return null; // a line torn by a crash: what it named is fetched again
  }
  if (typeof line !== "object" || line === null) return null;
  const { url, seen, ...place } = line as Record<string, unknown>;
  if (typeof seen === "string") return { kind: "seen", url: seen };
  return typeof url === "string" && typeof place.depth === "number" ? { kind: "item", url, place } : null;
}
