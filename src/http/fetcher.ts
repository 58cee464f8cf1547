/**
 * The fetch stage of a run, built once: the dispatcher, the request headers, the settings of one
 * attempt and of its retries. What it hands on is a function of a URL, so that trawl() composes
 * stages without knowing how a request is made.
 */
import type { AttemptEvent } from "./attempt-event.js";
import { createDispatcher } from "./agent.js";
import type { FileCookie } from "./cookie-file.js";
import { CookiePolicy } from "./cookies.js";
import { checkWithRetry } from "./check-request.js";
import type { ConditionalRequest, FetchSettings } from "./fetch-page.js";
import { type FetchOutcome, fetchWithRetry, type RetrySettings } from "./fetch-with-retry.js";
import { LiveAttempts } from "./live-attempts.js";

/** What the fetch stage needs to know (a subset of the resolved options, named as they are). */
export interface FetcherSettings {
  userAgent: string;
  /** The user's own request headers; they override ours. */
  headers: Record<string, string>;
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: number;
  retries: number;
  retryDelayMs: number;
  proxy: string | undefined;
  insecure: boolean;
  perHostConcurrency: number;
  /** Keep a cookie jar for the run (SPEC §2). */
  cookies: boolean;
  /** Cookies the jar starts with (a `cookies.txt`, read when the options were). */
  fileCookies: readonly FileCookie[];
  onAttempt: ((event: AttemptEvent) => void) | undefined;
  /** The statuses that count as ok (`accept`); undefined: 2xx. */
  accepts?: ((status: number) => boolean) | undefined;
}

/** How hard a host may be hit, as the fetch stage asks it (see politeness/). */
export interface FetchPoliteness {
  /** Waits for the host's next request slot; false when the run was aborted meanwhile. */
  pace: ((url: string, signal: AbortSignal) => Promise<boolean>) | undefined;
  /** Learns from every answer of the host `key`: its status (null for a network failure) and time. */
  observe: ((key: string, status: number | null, ms: number) => void) | undefined;
}

export interface Fetcher {
  /**
   * Fetches a page with retries under the given politeness; `key` is the host the answer teaches
   * (the input URL's, even after a redirect). Built once per run: no settings object per URL.
   * A response cache passes its `conditional` request.
   */
  pages(
    politeness: FetchPoliteness,
    readBody?: FetchSettings["readBody"],
  ): (url: string, key: string, conditional?: ConditionalRequest) => Promise<FetchOutcome>;
  /** The request headers every page request starts from (names lower-cased), as a cache must know them. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Checks a link under the same politeness: HEAD, then a GET whose body is not read when HEAD is refused. */
  links(politeness: FetchPoliteness): (url: string, key: string) => Promise<FetchOutcome>;
  /** Fetches a side document (robots.txt, a sitemap) with retries and its own size cap, unpaced. */
  document(url: string, maxBytes: number): Promise<FetchOutcome>;
  /** Tears the connections down; in-flight attempts end when the run signal aborts. */
  close(): Promise<void>;
}

// What trawl accepts, as a browser says it; the user's -H overrides any of these.
const ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** Builds the fetch stage of a run; every attempt stops when `signal` aborts. */
export function createFetcher(settings: FetcherSettings, signal: AbortSignal): Fetcher {
  const dispatcher = createDispatcher(settings);
  const headers: Record<string, string> = {
    "user-agent": settings.userAgent,
    accept: ACCEPT,
    "accept-encoding": "gzip, deflate, br",
  };
  for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value;
  const attempt: FetchSettings = {
    dispatcher,
    headers,
    timeoutMs: settings.timeoutMs,
    maxRedirects: settings.maxRedirects,
    maxBytes: settings.maxBytes,
    live: new LiveAttempts(signal),
    // One jar per run, shared by pages and side documents (robots.txt, sitemaps), as a browser's is.
    cookies: settings.cookies ? new CookiePolicy(settings.fileCookies) : null,
  };
  const plainRetry: RetrySettings = {
    retries: settings.retries,
    retryDelayMs: settings.retryDelayMs,
    onAttempt: settings.onAttempt,
    accepts: settings.accepts,
  };
  return {
    pages(politeness, readBody) {
      const retry: RetrySettings = { ...plainRetry, pace: politeness.pace, observe: politeness.observe };
      const settings = readBody === undefined ? attempt : { ...attempt, readBody };
      return (url, key, conditional) => fetchWithRetry(url, settings, retry, signal, key, conditional);
    },
    links(politeness) {
      const retry: RetrySettings = { ...plainRetry, pace: politeness.pace, observe: politeness.observe };
      const head: FetchSettings = { ...attempt, method: "HEAD" };
      const get: FetchSettings = { ...attempt, readBody: false };
      return (url, key) => checkWithRetry(url, head, get, retry, signal, key);
    },
    document(url, maxBytes) {
      return fetchWithRetry(url, { ...attempt, maxBytes }, plainRetry, signal);
    },
    requestHeaders: headers,
    close: () => dispatcher.destroy().catch(() => undefined),
  };
}
