import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobKeys } from "./job-keys.js";
import { LuaScript, type RedisLink } from "./redis-link.js";

/**
 * Fleet politeness: per-host concurrency and pace held in Redis, so `perHost` and `rate` bound
 * the whole fleet, not each worker. A slot is a member of the host's ZSET with an expiry (a dead
 * worker's slot frees itself); a live worker renews its slots with its claims. The pace books
 * start times one interval apart, as the one-machine HostPacer does, so no worker polls for it.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// Keeps the host's keys only as long as a slot or a booked start needs them.
const EXPIRE_HOLDERS = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now)) end
`;

/**
 * KEYS: host slots, host pace. ARGV: holder, max concurrent, interval ms, slot ttl ms.
 * Returns {1, ms to wait before starting} when the slot is taken (or was already this holder's),
 * {0, ms until the earliest slot expires} when the host is full.
 */
const ACQUIRE = new LuaScript(`${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {1, 0} end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now}
end
local start = now
local interval = tonumber(ARGV[3])
if interval > 0 then
  local booked = tonumber(redis.call('GET', KEYS[2]) or '0')
  if booked > start then start = booked end
  redis.call('SET', KEYS[2], start + interval, 'PX', start + interval - now + 1000)
end
redis.call('ZADD', KEYS[1], start + tonumber(ARGV[4]), ARGV[1])
${EXPIRE_HOLDERS}
return {1, start - now}
`);

/** KEYS: host slots. ARGV: slot ttl ms, then holders. Pushes the expiry of the holders still there. */
const RENEW = new LuaScript(`${NOW}
for i = 2, #ARGV do
  local expiry = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if expiry then
    redis.call('ZADD', KEYS[1], math.max(tonumber(expiry), now + tonumber(ARGV[1])), ARGV[i])
  end
end
${EXPIRE_HOLDERS}
return 1
`);

/** Options of one slot request. */
export interface HostSlotOptions {
  /** Requests in flight to this host at most, over the whole fleet. */
  maxConcurrent: number;
  /** Least time between two request starts to this host, over the whole fleet. @default 0 */
  intervalMs?: number;
  /** Stops the wait; `acquireHost` then resolves null. */
  signal?: AbortSignal;
}

/** A slot held on one host; give it back with `release()` when the request is over. */
export interface HostSlot {
  readonly host: string;
  release(): Promise<void>;
}

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 250;

/** The host slots of one worker. */
export class FleetHosts {
  private readonly held = new Map<string, Set<string>>();
  private count = 0;
  private readonly idPrefix = randomBytes(4).toString("hex");

  constructor(
    private readonly link: RedisLink,
    private readonly keys: JobKeys,
    private readonly workerId: string,
    private readonly slotTtlMs: number,
  ) {}

  /** Waits for a slot on `host` and for its turn by the pace; null when `signal` aborts first. */
  async acquire(host: string, options: HostSlotOptions): Promise<HostSlot | null> {
    // One holder id per request, the same on every try: a retried acquire finds its own slot.
    const holder = `${this.workerId}:${this.idPrefix}:${++this.count}`;
    const { signal } = options;
    const args = [holder, options.maxConcurrent, Math.max(0, options.intervalMs ?? 0), this.slotTtlMs];
    const keys = [this.keys.hostSlots(host), this.keys.hostPace(host)];
    for (let poll = FIRST_POLL_MS; ; poll = Math.min(poll * 2, MAX_POLL_MS)) {
      if (signal?.aborted) return null;
      const [taken, waitMs] = await this.link.run<[number, number]>(ACQUIRE, keys, args);
      if (taken === 1) {
        this.hold(host, holder);
        const slot: HostSlot = { host, release: () => this.release(host, holder) };
        if (waitMs > 0 && !(await pause(waitMs, signal))) {
          await slot.release();
          return null;
        }
        return slot;
      }
      // Full: a slot frees when its holder releases it (any moment) or when it expires.
      if (!(await pause(Math.min(poll, Math.max(1, waitMs)), signal))) return null;
    }
  }

  private hold(host: string, holder: string): void {
    const holders = this.held.get(host) ?? new Set<string>();
    holders.add(holder);
    this.held.set(host, holders);
  }

  private async release(host: string, holder: string): Promise<void> {
    const holders = this.held.get(host);
    if (!holders?.delete(holder)) return;
    if (holders.size === 0) this.held.delete(host);
    await this.link.call(["ZREM", this.keys.hostSlots(host), holder]);
  }

  /** Pushes the expiry of every slot this worker holds. */
  async renew(): Promise<void> {
    await Promise.all(
      [...this.held].map(([host, holders]) => this.link.run(RENEW, [this.keys.hostSlots(host)], [this.slotTtlMs, ...holders])),
    );
  }

  /** Gives back every slot this worker holds. */
  async releaseAll(): Promise<void> {
    const all = [...this.held].flatMap(([host, holders]) => [...holders].map((holder) => [host, holder] as const));
    await Promise.all(all.map(([host, holder]) => this.release(host, holder)));
  }
}

/** Sleeps `ms`; false when `signal` aborts first. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}
