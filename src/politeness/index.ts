/**
 * How hard one host is hit (SPEC §2), composed for a run:
 * - adaptive-limits.ts: per-host concurrency that backs off on 429/503 and slow answers (AIMD);
 * - host-pacer.ts: `ratePerSecond` spacing shared by all workers of a host;
 * - robots.ts: robots.txt once per origin, its verdicts and Crawl-delay;
 * - with a fleet (a shared crawl, SPEC §11), host slots and robots.txt held for every process.
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

/**
 * What the processes of a fleet share (a shared crawl), as politeness asks for it: the limits of a
 * host hold over the whole fleet rather than per process.
 */
export interface FleetPoliteness {
  /**
   * Waits until a request to `host` may start: fewer than `maxConcurrent` requests in flight to it
   * over the fleet, the last start `intervalMs` ago. Null when `signal` aborts first.
   */
  acquireHost(
    host: string,
    options: { maxConcurrent: number; intervalMs: number; signal: AbortSignal },
  ): Promise<{ release(): Promise<void> } | null>;
  /** robots.txt fetched once for the fleet: `fetchRobots` runs in one process, the others get its outcome. */
  robots(url: string, fetchRobots: (url: string) => Promise<FetchOutcome>): Promise<FetchOutcome>;
}

/**
 * Builds a run's politeness; robots.txt is fetched through `fetchDocument` when asked for. With a
 * `fleet`, each attempt holds one of the fleet's slots on its host (the adaptive limit of this
 * process, the rate or Crawl-delay as the spacing) from before its request to its answer.
 */
export async function createPoliteness(
  settings: PolitenessSettings,
  fetchDocument: (url: string, maxBytes: number) => Promise<FetchOutcome>,
  fleet?: FleetPoliteness,
): Promise<Politeness> {
  const adaptive = new AdaptiveLimits(settings.perHostConcurrency);
  const fetchRobots = (url: string) => fetchDocument(url, Math.min(settings.maxBytes, ROBOTS_MAX_BYTES));
  // robots-parser loads only when robots.txt is obeyed.
  const robots: RobotsCache | null = settings.robots
    ? new (await import("./robots.js")).RobotsCache(fleet ? (url) => fleet.robots(url, fetchRobots) : fetchRobots, settings.userAgent)
    : null;
  const rate = settings.ratePerSecond;
  // The pace of a host: the rate, or its robots.txt Crawl-delay when that is slower.
  const intervalOf = (host: string): number | null => {
    const rateMs = rate === undefined ? null : 1000 / rate;
    const delayMs = robots?.crawlDelayMs(host) ?? null;
    if (rateMs === null) return delayMs;
    return delayMs === null ? rateMs : Math.max(rateMs, delayMs);
  };
  if (fleet) {
    return {
      ...fleetSlots(fleet, adaptive, intervalOf),
      limitOf: (key) => adaptive.limitOf(key),
      allows: robots ? async (url) => (await robots.check(url)).allowed : null,
    };
  }
  const pacer = rate === undefined && !robots ? null : new HostPacer(intervalOf);
  return {
    pace: pacer ? (url, signal) => pacer.wait(hostOf(url), signal) : undefined,
    observe: (key, status, ms) => adaptive.observe(key, status, ms),
    limitOf: (key) => adaptive.limitOf(key),
    allows: robots ? async (url) => (await robots.check(url)).allowed : null,
  };
}

type Slot = { release(): Promise<void> };

// How long an unpaced process keeps a host slot it is not using, for its next request to that host.
const IDLE_SLOT_MS = 50;

/**
 * Pace and observe for a fleet: `pace` takes a fleet slot on the URL's host before each attempt,
 * `observe` (called once after each attempt, under the same host) gives one back. A process's
 * slots on one host are alike, so which one goes back does not matter. Unpaced, a slot given back
 * is kept for IDLE_SLOT_MS: a busy process's next request to the host takes it without a round
 * trip to Redis, and an idle one leaves it to the others soon.
 */
function fleetSlots(
  fleet: FleetPoliteness,
  adaptive: AdaptiveLimits,
  intervalOf: (host: string) => number | null,
): Pick<Politeness, "pace" | "observe"> {
  const busy = new Map<string, Slot[]>();
  const idle = new Map<string, { slot: Slot; since: number }[]>();
  // A slot not given back (Redis away) expires with its lease: it is no longer renewed.
  const release = (slot: Slot) => slot.release().catch(() => {});
  let sweeping = false;
  const sweep = () => {
    sweeping = false;
    const old = performance.now() - IDLE_SLOT_MS;
    for (const [host, slots] of idle) {
      // Newest last: the oldest ones go first.
      while (slots.length > 0 && (slots[0] as { since: number }).since <= old) release((slots.shift() as { slot: Slot }).slot);
      if (slots.length === 0) idle.delete(host);
    }
    if (idle.size > 0) schedule();
  };
  const schedule = () => {
    sweeping = true;
    setTimeout(sweep, IDLE_SLOT_MS).unref();
  };
  const keep = (host: string, slot: Slot) => {
    const slots = idle.get(host);
    if (slots) slots.push({ slot, since: performance.now() });
    else idle.set(host, [{ slot, since: performance.now() }]);
    if (!sweeping) schedule();
  };
  const hold = (host: string, slot: Slot) => {
    const slots = busy.get(host);
    if (slots) slots.push(slot);
    else busy.set(host, [slot]);
  };
  return {
    async pace(url, signal) {
      const host = hostOf(url);
      const intervalMs = intervalOf(host) ?? 0;
      const limit = adaptive.limitOf(host);
      const kept = intervalMs === 0 ? idle.get(host)?.pop()?.slot : undefined;
      // Unless the host's limit was lowered meanwhile: this process would hold one slot too many.
      if (kept && (busy.get(host)?.length ?? 0) < limit) {
        hold(host, kept);
        return true;
      }
      if (kept) release(kept);
      const slot = await fleet.acquireHost(host, { maxConcurrent: limit, intervalMs, signal });
      if (!slot) return false;
      hold(host, slot);
      return true;
    },
    observe(key, status, ms) {
      adaptive.observe(key, status, ms);
      const slots = busy.get(key);
      const slot = slots?.pop();
      if (slots?.length === 0) busy.delete(key);
      if (!slot) return;
      if ((intervalOf(key) ?? 0) > 0) release(slot);
      else keep(key, slot);
    },
  };
}
