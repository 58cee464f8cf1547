/** What the shared queue holds: one URL to fetch, where the crawl found it, and the caller's data. */

/** A value JSON can carry unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One URL to fetch. */
export interface QueueEntry {
  url: string;
  /** 0 for an input URL, the referring page's depth + 1 for a link. */
  depth: number;
  /** The page that linked here; null for an input URL. */
  parent: string | null;
  /** Opaque to the frontier: the page's kind, the item carried from the referring page, … */
  payload?: JsonValue;
}

/** An entry leased to this worker, under a fencing token no other claim ever gets. */
export interface Claim {
  readonly token: number;
  readonly entry: QueueEntry;
}

// Short keys: a big crawl queues millions of entries in Redis memory.
interface StoredEntry {
  u: string;
  d: number;
  p: string | null;
  x?: JsonValue;
}

export function encodeEntry(entry: QueueEntry): string {
  const stored: StoredEntry = { u: entry.url, d: entry.depth, p: entry.parent };
  if (entry.payload !== undefined) stored.x = entry.payload;
  return JSON.stringify(stored);
}

export function decodeEntry(text: string): QueueEntry {
  const stored = JSON.parse(text) as StoredEntry;
  const entry: QueueEntry = { url: stored.u, depth: stored.d, parent: stored.p };
  if (stored.x !== undefined) entry.payload = stored.x;
  return entry;
}
