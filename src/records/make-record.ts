import { TrawlError } from "../errors.js";
import type { FollowedLink } from "../extract/follow-links.js";
import type { Extraction } from "../extract/select.js";
import type { Extractor } from "../extract/extractor.js";
import { isHtml } from "../extract/charset.js";
import { type FetchOutcome, isSuccess } from "../http/fetch-with-retry.js";
import type { ExtractedValue, TrawlRecord } from "../record.js";
import { saveBody } from "./save-body.js";

/** Where a record sits in a crawl; absent when not crawling. */
export interface CrawlPlace {
  depth: number;
  parent: string | null;
  /** With a recipe: the kind of page. */
  kind?: string;
  /** With a recipe kind that carries: the referring page's item the link sat in (null: none). */
  from?: { [key: string]: ExtractedValue } | null;
}

/** The record of a URL that was never requested: a bad input line, one robots.txt disallows, a missing fragment. */
function unfetchedRecord(
  url: string,
  code: "EINVALIDURL" | "EROBOTS" | "EFRAGMENT",
  message: string,
  place: CrawlPlace | undefined,
): TrawlRecord {
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
  return unfetchedRecord(
    `${page}#${fragment}`,
    "EFRAGMENT",
    `no element with id ${JSON.stringify(decoded)} (nor an <a name>) in ${page}`,
    place,
  );
}

/** What building a fetched record needs besides the outcome. */
export interface RecordContext {
  extractor: Extractor;
  saveDir: string | undefined;
  place: CrawlPlace | undefined;
  /** The extraction plan of this kind of page (an index into the extractor's plans). @default 0 */
  plan?: number;
  /** Gets the links the page's follow selectors picked, once extracted (a crawl offers them). */
  onLinks?: ((links: FollowedLink[]) => void) | undefined;
  /** The statuses that count as ok (`accept`); undefined: 2xx. */
  accepts?: ((status: number) => boolean) | undefined;
}

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
  // Everything the record needs from the body is read here, first: extraction may move the body's
  // memory to a parse thread, after which the buffer reads as empty (its length is 0).
  const page: Page = { url, outcome, started, bytes: body?.length ?? 0, html: body !== null && isHtml(outcome.contentType, body) };
  // Saved before extraction, for the same reason.
  if (body && context.saveDir !== undefined) {
    return saveBody(context.saveDir, url, outcome.contentType, body).then((file) => extractedRecord(page, context, file));
  }
  return extractedRecord(page, context, undefined);
}

/** What a record keeps of a fetched page, read before the body is handed over. */
interface Page {
  url: string;
  outcome: FetchOutcome;
  started: number;
  /** The decoded body's size in bytes. */
  bytes: number;
  /** True when the body is HTML, to be parsed. */
  html: boolean;
}

function extractedRecord(page: Page, context: RecordContext, file: string | undefined): TrawlRecord | Promise<TrawlRecord> {
  const { outcome } = page;
  const body = outcome.body;
  if (!body || !page.html) return recordOf(page, context, file, null, null);
  let extraction: Extraction | Promise<Extraction>;
  try {
    extraction = context.extractor.extract(body, outcome.contentType, outcome.finalUrl, context.plan);
  } catch (error) {
    return recordOf(page, context, file, null, parseFailure(error));
  }
  if (!(extraction instanceof Promise)) return recordOf(page, context, file, extraction, null);
  return extraction.then(
    (done) => recordOf(page, context, file, done, null),
    (error: unknown) => recordOf(page, context, file, null, parseFailure(error)),
  );
}

// A page that kills its parse thread (say, out of memory) costs its own record, not the run.
function parseFailure(error: unknown): TrawlError {
  return new TrawlError("EPROTOCOL", `the page could not be parsed: ${(error as Error).message}`);
}

function recordOf(
  page: Page,
  context: RecordContext,
  file: string | undefined,
  extraction: Extraction | null,
  extractionError: TrawlError | null,
): TrawlRecord {
  const { url, outcome, started, bytes } = page;
  const status = outcome.status;
  let error = outcome.error ?? extractionError;
  if (!error && status !== null && !(context.accepts ?? isSuccess)(status)) {
    error = new TrawlError("EHTTP", `HTTP ${status}`);
  }
  const ok = error === null;
  const ms = Math.round(performance.now() - started);
  const title = extraction?.title ?? null;
  const data = extraction?.data ?? {};
  if (extraction?.links) context.onLinks?.(extraction.links);
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
