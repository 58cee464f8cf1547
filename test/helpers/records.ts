/**
 * Finding records in a run's output: by URL, by path, and the key order every record has. Works for
 * the CLI's parsed NDJSON (cli.ts) and for the library's records alike.
 */
import type { TrawlRecord } from "../../src/record.js";

/** The keys of a record, in the order trawl writes them (SPEC §4, CONTRACT.md). */
export const RECORD_KEYS = ["url", "finalUrl", "status", "ok", "attempts", "ms", "bytes", "contentType", "title", "data", "error"];

/** A run's records, alone or with the output they came from (a CliResult), which a miss then quotes. */
export type RecordSource<R> = readonly R[] | { readonly records: readonly R[]; stdout?: string; stderr?: string };

/** The first record whose `url` is `url`; throws, quoting what the run printed, when there is none. */
export function recordFor<R extends { url: string }>(source: RecordSource<R>, url: string): R {
  const records = "records" in source ? source.records : source;
  const record = records.find((candidate) => candidate.url === url);
  if (record) return record;
  const output = "records" in source ? `${source.stdout ?? ""}\n${source.stderr ?? ""}` : records.map((r) => r.url).join("\n");
  throw new Error(`no record for ${url} in:\n${output}`);
}

/** Records keyed by URL; its size falls short of `records.length` when a URL has two records. */
export function recordsByUrl<R extends { url: string }>(records: readonly R[]): Map<string, R> {
  return new Map(records.map((record) => [record.url, record]));
}

/** Records keyed by their URL's path (no query), for runs on one origin. */
export function recordsByPath<R extends { url: string }>(records: readonly R[]): Map<string, R> {
  return new Map(records.map((record) => [new URL(record.url).pathname, record]));
}

/** Path and query of every record's URL, sorted: what a crawl or sitemap run reached, origin aside. */
export function sortedPaths(records: readonly { url: string }[]): string[] {
  return records.map((record) => new URL(record.url).pathname + new URL(record.url).search).sort();
}

/** A whole record for unit tests of what reads records: an ok 200 HTML page at `url`, then `overrides`. */
export function okRecord(url: string, overrides: Partial<TrawlRecord> = {}): TrawlRecord {
  return {
    url,
    finalUrl: url,
    status: 200,
    ok: true,
    attempts: 1,
    ms: 5,
    bytes: 10,
    contentType: "text/html",
    title: null,
    data: {},
    error: null,
    ...overrides,
  };
}

/** A failed record: an HTTP 404 (`EHTTP`) at `url`, then `overrides`. */
export function failedRecord(url: string, overrides: Partial<TrawlRecord> = {}): TrawlRecord {
  return okRecord(url, { status: 404, ok: false, error: { code: "EHTTP", message: "HTTP 404" }, ...overrides });
}
