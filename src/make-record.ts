import { TrawlError } from "./errors.js";
import type { Extractor } from "./extractor.js";
import { isHtml } from "./http/charset.js";
import type { FetchOutcome } from "./http/fetch-with-retry.js";
import type { TrawlRecord } from "./record.js";
import { saveBody } from "./save.js";

/** Where a record sits in a crawl; absent when not crawling. */
export interface CrawlPlace {
  depth: number;
  parent: string | null;
}

/** The record of a URL that was never requested: a bad input line, or one robots.txt disallows. */
function unfetchedRecord(url: string, code: "EINVALIDURL" | "EROBOTS", message: string, place: CrawlPlace | undefined): TrawlRecord {
  return {
    url,
    finalUrl: null,
    status: null,
    ok: false,
    attempts: 0,
    ms: 0,
    bytes: 0,
    contentType: null,
    title: null,
    data: {},
    ...place,
    error: { code, message },
  };
}

/** The record of an input line that is not an http(s) URL. */
export function invalidRecord(input: { line: string; reason: string }, place: CrawlPlace | undefined): TrawlRecord {
  return unfetchedRecord(input.line, "EINVALIDURL", input.reason, place);
}

/** The record of a URL that robots.txt disallows. */
export function robotsRecord(url: string, place: CrawlPlace | undefined): TrawlRecord {
  return unfetchedRecord(url, "EROBOTS", "disallowed by robots.txt", place);
}

/** What building a fetched record needs besides the outcome. */
export interface RecordContext {
  extractor: Extractor;
  saveDir: string | undefined;
  place: CrawlPlace | undefined;
}

/** Builds the record of a fetched URL: body saved, extraction for HTML bodies (any status), the verdict. */
export async function fetchedRecord(url: string, outcome: FetchOutcome, started: number, context: RecordContext): Promise<TrawlRecord> {
  let title: string | null = null;
  let data: TrawlRecord["data"] = {};
  const body = outcome.body;
  const bytes = body?.length ?? 0;
  // Saved before extraction, which may hand the bytes over to a parse thread.
  const file =
    body && context.saveDir !== undefined ? await saveBody(context.saveDir, url, outcome.contentType, body) : undefined;
  let extractionError: TrawlError | null = null;
  if (body && isHtml(outcome.contentType, body)) {
    try {
      ({ title, data } = await context.extractor.extract(body, outcome.contentType, outcome.finalUrl));
    } catch (error) {
      // A page that kills its parse thread (say, out of memory) costs its own record, not the run.
      extractionError = new TrawlError("EPROTOCOL", `the page could not be parsed: ${(error as Error).message}`);
    }
  }
  const status = outcome.status;
  let error = outcome.error ?? extractionError;
  if (!error && status !== null && (status < 200 || status > 299)) {
    error = new TrawlError("EHTTP", `HTTP ${status}`);
  }
  return {
    url,
    finalUrl: outcome.finalUrl,
    status,
    ok: error === null,
    attempts: outcome.attempts,
    ms: Math.round(performance.now() - started),
    bytes,
    contentType: outcome.contentType,
    title,
    data,
    ...(file === undefined ? {} : { file }),
    ...context.place,
    error: error && { code: error.code, message: error.message },
  };
}
