import { TrawlError } from "../errors.js";
import type { AttemptEvent } from "../options.js";
import { type AttemptResult, type FetchSettings, fetchPage } from "./fetch-page.js";
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
}

const aborted = (url: string, attempts: number): FetchOutcome => ({
  finalUrl: url,
  status: null,
  contentType: null,
  body: null,
  error: new TrawlError("EABORTED", "the run was aborted"),
  retryAfterMs: null,
  attempts,
});

/** The error code an attempt ends with for the retry policy: its failure, else EHTTP for non-2xx. */
function codeOf(result: AttemptResult): AttemptEvent["code"] {
  if (result.error) return result.error.code;
  return result.status !== null && (result.status < 200 || result.status > 299) ? "EHTTP" : null;
}

/**
 * Wraps one attempt with the retry policy: retryable failures are tried again after a backoff
 * (or the server's Retry-After), up to `retries` extra attempts. The run signal cuts waits short.
 */
export async function fetchWithRetry(
  url: string,
  fetchSettings: FetchSettings,
  retrySettings: RetrySettings,
  runSignal: AbortSignal,
): Promise<FetchOutcome> {
  for (let attempt = 1; ; attempt++) {
    if (retrySettings.pace && !(await retrySettings.pace(url, runSignal))) return aborted(url, attempt - 1);
    const started = performance.now();
    const result = await fetchPage(url, fetchSettings);
    const code = codeOf(result);
    let retryInMs: number | null = null;
    if (code !== null && attempt <= retrySettings.retries && !runSignal.aborted && isRetryable({ code, status: result.status })) {
      retryInMs = nextDelay(attempt, retrySettings.retryDelayMs, result.retryAfterMs);
    }
    retrySettings.onAttempt?.({
      url: result.finalUrl,
      attempt,
      status: result.status,
      code,
      ms: Math.round(performance.now() - started),
      retryInMs,
    });
    if (retryInMs === null) return { ...result, attempts: attempt };
    if (!(await waitUnlessAborted(retryInMs, runSignal))) {
      // Stopped while waiting to retry: the URL was still in flight, so it ends as aborted.
      return { ...result, error: new TrawlError("EABORTED", "the run was aborted"), attempts: attempt };
    }
  }
}
