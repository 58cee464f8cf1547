/**
 * How hard one host is hit (SPEC §2), composed for a run:
 * - adaptive-limits.ts: per-host concurrency that backs off on 429/503 and slow answers (AIMD);
 * - host-pacer.ts: `ratePerSecond` spacing shared by all workers of a host;
 * - robots.ts: robots.txt once per origin, its verdicts and Crawl-delay.
 */
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import { ROBOTS_MAX_BYTES } from "../limits.js";
import { hostOf } from "../urls/normalize.js";
import { AdaptiveLimits } from "./adaptive-limits.js";
import { HostPacer } from "./host-pacer.js";
import type { RobotsCache } from "./robots.js";

/** What politeness needs to know (a subset of the resolved options). */
export interface PolitenessSettings {
  perHostConcurrency: number;
  ratePerSecond: number | undefined;
  robots: boolean;
  userAgent: string;
  /** The body cap of pages; a robots.txt gets at most this or ROBOTS_MAX_BYTES, the smaller. */
  maxBytes: number;
}

export interface Politeness {
  /** Waits for the host's next request slot; false when the run was aborted meanwhile. */
  pace: ((url: string, signal: AbortSignal) => Promise<boolean>) | undefined;
  /** Learns from an answer of host `key`. */
  observe: (key: string, status: number | null, ms: number) => void;
  /** Requests in flight allowed to host `key` now. */
  limitOf: (key: string) => number;
  /** Whether robots.txt lets `url` be fetched; always true without `robots`. */
  allows: ((url: string) => Promise<boolean>) | null;
}

/** Builds a run's politeness; robots.txt is fetched through `fetchDocument` when asked for. */
export async function createPoliteness(
  settings: PolitenessSettings,
  fetchDocument: (url: string, maxBytes: number) => Promise<FetchOutcome>,
): Promise<Politeness> {
  const adaptive = new AdaptiveLimits(settings.perHostConcurrency);
  // robots-parser loads only when robots.txt is obeyed.
  const robots: RobotsCache | null = settings.robots
    ? new (await import("./robots.js")).RobotsCache((url) => fetchDocument(url, Math.min(settings.maxBytes, ROBOTS_MAX_BYTES)), settings.userAgent)
    : null;
  const rate = settings.ratePerSecond;
  // The pace of a host: the rate, or its robots.txt Crawl-delay when that is slower.
  const intervalOf = (host: string): number | null => {
    const rateMs = rate === undefined ? null : 1000 / rate;
    const delayMs = robots?.crawlDelayMs(host) ?? null;
    if (rateMs === null) return delayMs;
    return delayMs === null ? rateMs : Math.max(rateMs, delayMs);
  };
  const pacer = rate === undefined && !robots ? null : new HostPacer(intervalOf);
  return {
    pace: pacer ? (url, signal) => pacer.wait(hostOf(url), signal) : undefined,
    observe: (key, status, ms) => adaptive.observe(key, status, ms),
    limitOf: (key) => adaptive.limitOf(key),
    allows: robots ? async (url) => (await robots.check(url)).allowed : null,
  };
}
