import type { TrawlRecord } from "../record.js";
import type { CrawlPlace } from "./make-record.js";

/** A record as a response cache keeps it: without the keys that belong to one run's crawl (place, kind, carried item). */
export function recordToKeep(record: TrawlRecord): TrawlRecord {
  const { depth: _depth, parent: _parent, kind: _kind, from: _from, cached: _cached, ...kept } = record;
  return kept;
}

/**
 * The record of a URL the server answered with `304 Not Modified` (SPEC §10): the stored record, with
 * this run's `attempts`, `ms` and place in the crawl, and `"cached": true`. Keys stay in the order
 * of TrawlRecord (the stored ones first, `error` last).
 */
export function cachedRecord(
  stored: TrawlRecord,
  url: string,
  attempts: number,
  started: number,
  place: CrawlPlace | undefined,
): TrawlRecord {
  const { depth: _depth, parent: _parent, kind: _kind, from: _from, cached: _cached, error: _error, ...kept } = stored;
  const ms = Math.round(performance.now() - started);
  return { ...kept, url, attempts, ms, ...place, cached: true, error: null };
}
