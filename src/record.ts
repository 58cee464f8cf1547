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

/** Values extracted by `--select`: a string (or null when nothing matched) or an array of them. */
export type ExtractedValue = string | null | string[];

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
  /**
   * With `checkLinks` or `checkFragments`, on every record that is not ok: the pages linking to it,
   * found however late in the crawl they turn up. Such records are held until the crawl ends (see
   * README, "Check links in CI"), so this list is complete when the record is written.
   */
  linkedFrom?: LinkedFrom;
  /** null when ok; otherwise what went wrong. */
  error: RecordError | null;
}
