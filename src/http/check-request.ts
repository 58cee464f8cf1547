/**
 * A link check (SPEC §9): is the resource there? HEAD first, so no body crosses the wire. Servers
 * that do not do HEAD say so with 405 Method Not Allowed or 501 Not Implemented (RFC 9110 §15.5.6,
 * §15.6.2); others answer HEAD with a 4xx that GET does not get (frameworks that route GET alone
 * give 400, 403 or 404), or with a response that breaks the framing. Those are asked again with a
 * GET whose body is not read. 408 and 429 are not a refusal of HEAD: the retry policy has them.
 */
import type { FetchSettings } from "./fetch-page.js";
import { type FetchOutcome, fetchWithRetry, isSuccess, type RetrySettings } from "./fetch-with-retry.js";

/** Whether a HEAD's outcome says "ask again with GET" rather than anything about the resource. */
export function headRefused(outcome: FetchOutcome, accepts: (status: number) => boolean): boolean {
  if (outcome.error) return outcome.error.code === "EPROTOCOL";
  const status = outcome.status;
  if (status === null || accepts(status)) return false;
  return status === 405 || status === 501 || (status >= 400 && status <= 499 && status !== 408 && status !== 429);
}

/**
 * Checks `url` under the retry policy: HEAD (`head`), then, when refused, GET (`get`, which reads no
 * body). Attempts of both count; the outcome is the last request's.
 */
export async function checkWithRetry(
  url: string,
  head: FetchSettings,
  get: FetchSettings,
  retry: RetrySettings,
  signal: AbortSignal,
  key: string,
): Promise<FetchOutcome> {
  const first = await fetchWithRetry(url, head, retry, signal, key);
  if (signal.aborted || !headRefused(first, retry.accepts ?? isSuccess)) return first;
  const second = await fetchWithRetry(url, get, retry, signal, key);
  return { ...second, attempts: first.attempts + second.attempts };
}
