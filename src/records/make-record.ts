import { TrawlError } from "../errors.js";
import type { Extraction } from "../extract/select.js";
import type { Extractor } from "../extract/extractor.js";
import { isHtml } from "../extract/charset.js";
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import type { TrawlRecord } from "../record.js";
import { saveBody } from "./save-body.js";

/** Where a record sits in a crawl; absent when not crawling. */
export interface CrawlPlace {
  depth: number;
  parent: string | null;
}

/** The record of a URL that was never requested: a bad input line, one robots.txt disallows, a missing fragment. */
function unfetchedRecord(url: string, code: "EINVALIDURL" | "EROBOTS" | "EFRAGMENT", message: string, place: CrawlPlace | undefined): TrawlRecord {
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

/**
 * The record of a link `page#fragment` whose page has no such element (`checkFragments`): its URL is
 * the link's, and nothing was requested for it (the page has a record of its own).
 */
export function fragmentRecord(page: string, fragment: string, decoded: string, place: CrawlPlace): TrawlRecord {
  return unfetchedRecord(`${page}#${fragment}`, "EFRAGMENT", `no element with id ${JSON.stringify(decoded)} (nor an <a name>) in ${page}`, place);
}

/** What building a fetched record needs besides the outcome. */
export interface RecordContext {
  extractor: Extractor;
  saveDir: string | undefined;
  place: CrawlPlace | undefined;
  /** The statuses that count as ok (`accept`); undefined: 2xx. */
  accepts?: ((status: number) => boolean) | undefined;
}

const isSuccess = (status: number): boolean => status >= 200 && status <= 299;

/**
 * Builds the record of a fetched URL: body saved, extraction for HTML bodies (any status), the
 * verdict. Synchronous when nothing waits (no `--save`, the title read in place), so the common case
 * costs no promise.
 */
export function fetchedRecord(
  url: string,
  outcome: FetchOutcome,
  started: number,
  context: RecordContext,
): TrawlRecord | Promise<TrawlRecord> {
  const body = outcome.body;
  // Saved before extraction, which may hand the bytes over to a parse thread.
  if (body && context.saveDir !== undefined) {
    return saveBody(context.saveDir, url, outcome.contentType, body).then((file) => extractedRecord(url, outcome, started, context, file));
  }
  return extractedRecord(url, outcome, started, context, undefined);
}

function extractedRecord(
  url: string,
  outcome: FetchOutcome,
  started: number,
  context: RecordContext,
  file: string | undefined,
): TrawlRecord | Promise<TrawlRecord> {
  const body = outcome.body;
  if (!body || !isHtml(outcome.contentType, body)) return recordOf(url, outcome, started, context, file, null, null);
  let extraction: Extraction | Promise<Extraction>;
  try {
    extraction = context.extractor.extract(body, outcome.contentType, outcome.finalUrl);
  } catch (error) {
    return recordOf(url, outcome, started, context, file, null, parseFailure(error));
  }
  if (!(extraction instanceof Promise)) return recordOf(url, outcome, started, context, file, extraction, null);
  return extraction.then(
    (done) => recordOf(url, outcome, started, context, file, done, null),
    (error: unknown) => recordOf(url, outcome, started, context, file, null, parseFailure(error)),
  );
}

// A page that kills its parse thread (say, out of memory) costs its own record, not the run.
function parseFailure(error: unknown): TrawlError {
  return new TrawlError("EPROTOCOL", `the page could not be parsed: ${(error as Error).message}`);
}

function recordOf(
  url: string,
  outcome: FetchOutcome,
  started: number,
  context: RecordContext,
  file: string | undefined,
  extraction: Extraction | null,
  extractionError: TrawlError | null,
): TrawlRecord {
  const status = outcome.status;
  let error = outcome.error ?? extractionError;
  if (!error && status !== null && !(context.accepts ?? isSuccess)(status)) {
    error = new TrawlError("EHTTP", `HTTP ${status}`);
  }
  const ok = error === null;
  const ms = Math.round(performance.now() - started);
  const bytes = outcome.body?.length ?? 0;
  const title = extraction?.title ?? null;
  const data = extraction?.data ?? {};
  const recordError = error && { code: error.code, message: error.message };
  const place = context.place;
  // Keys in the order of TrawlRecord; the plain literal is the common case (no --save, no crawl).
  if (file === undefined && place === undefined) {
    const { finalUrl, attempts, contentType } = outcome;
    return { url, finalUrl, status, ok, attempts, ms, bytes, contentType, title, data, error: recordError };
  }
  return {
    url,
    finalUrl: outcome.finalUrl,
    status,
    ok,
    attempts: outcome.attempts,
    ms,
    bytes,
    contentType: outcome.contentType,
    title,
    data,
    ...(file === undefined ? {} : { file }),
    ...place,
    error: recordError,
  };
}
