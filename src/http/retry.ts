import { setTimeout as sleep } from "node:timers/promises";
import type { ErrorCode } from "../errors.js";
import { MAX_RETRY_AFTER_MS, MAX_RETRY_DELAY_MS } from "../limits.js";

/** HTTP statuses worth another attempt (SPEC §2): the server may answer differently soon. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Failures of the network or the clock; the others (TLS, protocol, size, redirects) repeat themselves. */
const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(["ETIMEOUT", "ECONNREFUSED", "ECONNRESET", "ENOTFOUND"]);

/** The one retry policy: a pure function of the attempt's error code or HTTP status. */
export function isRetryable(outcome: { code: ErrorCode | null; status: number | null }): boolean {
  if (outcome.code !== null && outcome.code !== "EHTTP") return RETRYABLE_CODES.has(outcome.code);
  return outcome.status !== null && RETRYABLE_STATUSES.has(outcome.status);
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * a uniform wait in [0, min(cap, base × 2^(retry-1))], so that many clients spread out.
 */
export function backoffDelay(retry: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(random() * ceiling);
}

/**
 * Reads `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the wait in ms,
 * or null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names its day or month ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone
  // would take "-5" or "1.5" for dates.
  if (!/[a-z]{3}/i.test(text)) return null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** What to do after a retryable failure: wait this long, or stop (a Retry-After beyond the clamp). */
export function nextDelay(retry: number, baseMs: number, retryAfterMs: number | null): number | null {
  if (retryAfterMs === null) return backoffDelay(retry, baseMs);
  return retryAfterMs > MAX_RETRY_AFTER_MS ? null : retryAfterMs;
}

/** Sleeps, but wakes at once (returning false) when the run is aborted: Ctrl-C never waits out a backoff. */
export async function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
