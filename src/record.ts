import type { ErrorCode } from "./errors.js";

/** What went wrong with one URL; `code` is stable, `message` is for people. */
export interface RecordError {
  code: ErrorCode;
  message: string;
}

/**
 * The pages that link to a failed URL (`checkLinks`, `checkFragments`): the first 20 in crawl order,
 * and how many more there are. Only pages whose links the crawl read count (pages below `depth`).
 */
export interface LinkedFrom {
  urls: string[];
  /** Referring pages beyond `urls`. */
  more: number;
}

/**
 * A value extracted by `select`: text or an attribute (a string, null when nothing matched), what a
 * filter made of it (`| number`, `| json`), an array of them (`name[]`), or an item's object
 * (`list[]` with sub-fields, `each`).
 */
export type ExtractedValue = string | number | boolean | null | ExtractedValue[] | { [key: string]: ExtractedValue };

/**
 * One line of output: everything trawl learned about one input URL (SPEC §4).
 * Keys are written in this order.
 */
export interface TrawlRecord {
  /** The normalised input URL (fragment dropped), or the raw input line when it is not a URL. */
  url: string;
  /** The last URL requested, after redirects; null when nothing was requested. */
  finalUrl: string | null;
  /** The final HTTP status, or null when no response arrived. */
  status: number | null;
  /** True when the final status is 2xx (or one of `accept`) and nothing failed. */
  ok: boolean;
  /** Attempts made: 1 plus the retries used; 0 when nothing was requested. */
  attempts: number;
  /** Wall time for this URL over all attempts and backoff waits, in milliseconds. */
  ms: number;
  /** Decoded (decompressed) body size in bytes. */
  bytes: number;
  /** The response's Content-Type header, or null. */
  contentType: string | null;
  /** The document's <title>, whitespace collapsed; null when absent or not HTML. */
  title: string | null;
  /** One entry per `select` field; `{}` for non-HTML bodies. */
  data: Record<string, ExtractedValue>;
  /** With `saveDir` (`--save`): where the body was stored; absent otherwise, or when no body was read. */
  file?: string;
  /** With `crawl`: 0 for an input URL, else one more than the page that linked here. */
  depth?: number;
  /** With `crawl`: the URL of the page that linked here; null for an input URL. */
  parent?: string | null;
  /** With `recipe`: the kind of page this is. */
  kind?: string;
  /**
   * With a recipe kind that has `carry`: the item of the referring page that the followed link sat
   * in (its fields as extracted there), or null when the link sat in no item.
   */
  from?: { [key: string]: ExtractedValue } | null;
  /**
   * With `cache`: true when the server answered `304 Not Modified` and this is the stored record of
   * an earlier run (with this run's `ms`, `attempts`, `depth` and `parent`); absent otherwise.
   */
  cached?: true;
  /**
   * With `checkLinks` or `checkFragments`, on every record that is not ok: the pages linking to it,
   * found however late in the crawl they turn up. Such records are held until the crawl ends (see
   * README, "Check links in CI"), so this list is complete when the record is written.
   */
  linkedFrom?: LinkedFrom;
  /** null when ok; otherwise what went wrong. */
  error: RecordError | null;
}

/**
 * A record whose `data` has the shape its `select` (and `each`) say: what `trawl()` yields for a
 * `select` object literal. With `select` typed as a plain `Record<string, string>`, `data` is
 * `Record<string, ExtractedValue>`.
 */
export type TypedRecord<Data> = Omit<TrawlRecord, "data"> & { data: Data };
