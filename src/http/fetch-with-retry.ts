import { TrawlError } from "../errors.js";
import type { AttemptEvent } from "./attempt-event.js";
import { type AttemptResult, type ConditionalRequest, type FetchSettings, fetchPage } from "./fetch-page.js";
import { isRetryable, nextDelay, waitUnlessAborted } from "./retry.js";

/** The last attempt's result and how many attempts it took. */
export interface FetchOutcome extends AttemptResult {
  attempts: number;
}

export interface RetrySettings {
  retries: number;
  retryDelayMs: number;
  onAttempt: ((event: AttemptEvent) => void) | undefined;
  /** Waits for the host's next request slot (`--rate`); false when the run was aborted meanwhile. */
  pace?: ((url: string, signal: AbortSignal) => Promise<boolean>) | undefined;
  /**
   * Learns from every answer, under the key given to `fetchWithRetry` (the input URL's host, even
   * after a redirect): its status (null for a network failure) and how long it took.
   */
  observe?: ((key: string, status: number | null, ms: number) => void) | undefined;
  /** The statuses that count as ok (`accept`): an answer with one is not retried. @default 2xx */
  accepts?: ((status: number) => boolean) | undefined;
}

/** The statuses that count as ok when `accept` says nothing: 2xx. */
export const isSuccess = (status: number): boolean => status >= 200 && status <= 299;

const aborted = (url: string, attempts: number): FetchOutcome => ({
  finalUrl: url,
  status: null,
  contentType: null,
  body: null,
  error: new TrawlError("EABORTED", "the run was aborted"),
  retryAfterMs: null,
  responseHeaders: null,
  requestHeaders: null,
  attempts,
});

/** The error code an attempt ends with for the retry policy: its failure, else EHTTP for a status not accepted (non-2xx). */
function codeOf(result: AttemptResult, accepts: (status: number) => boolean): AttemptEvent["code"] {
  if (result.error) return result.error.code;
  return result.status !== null && !accepts(result.status) ? "EHTTP" : null;
}

/**
 * Wraps one attempt with the retry policy: retryable failures are tried again after a backoff
 * (or the server's Retry-After), up to `retries` extra attempts. The run signal cuts waits short.
 * `conditional` goes to every attempt (see `ConditionalRequest`).
 */
export async function fetchWithRetry(
  url: string,
  fetchSettings: FetchSettings,
  retrySettings: RetrySettings,
  runSignal: AbortSignal,
  observeKey = "",
  conditional?: ConditionalRequest,
): Promise<FetchOutcome> {
  for (let attempt = 1; ; attempt++) {
    if (retrySettings.pace && !(await retrySettings.pace(url, runSignal))) return aborted(url, attempt - 1);
    const started = performance.now();
    const result = await fetchPage(url, fetchSettings, conditional);
    const ms = Math.round(performance.now() - started);
    const code = codeOf(result, retrySettings.accepts ?? isSuccess);
    let retryInMs: number | null = null;
    if (code !== null && attempt <= retrySettings.retries && !runSignal.aborted && isRetryable({ code, status: result.status })) {
      retryInMs = nextDelay(attempt, retrySettings.retryDelayMs, result.retryAfterMs);
    }
    retrySettings.observe?.(observeKey, result.status, ms);
    retrySettings.onAttempt?.({ url: result.finalUrl, attempt, status: result.status, code, ms, retryInMs });
    if (retryInMs === null) return outcomeOf(result, attempt, result.error);
    if (!(await waitUnlessAborted(retryInMs, runSignal))) {
      // Stopped while waiting to retry: the URL was still in flight, so it ends as aborted.
      return outcomeOf(result, attempt, new TrawlError("EABORTED", "the run was aborted"));
    }
  }
}

function outcomeOf(result: AttemptResult, attempts: number, error: TrawlError | null): FetchOutcome {
  const { finalUrl, status, contentType, body, retryAfterMs, responseHeaders, requestHeaders } = result;
  return { finalUrl, status, contentType, body, error, retryAfterMs, responseHeaders, requestHeaders, attempts };
}
