import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobKeys } from "./job-keys.js";
import { LuaScript, type RedisLink } from "./redis-link.js";

/**
 * robots.txt once per origin for the whole fleet: the first worker to ask takes a short lock and
 * fetches it; the others wait for the text to appear in Redis. The lock expires by itself if its
 * holder dies, and is renewed while the holder is still fetching.
 */

/**
 * KEYS: epoch, robots, lock. ARGV: epoch, origin, holder, lock ms.
 * {1, text} when stored; {2} when this holder must fetch it (lock taken); {0, ms} while another
 * holds the lock; {-1} when the job is gone.
 */
const LOOK_UP = new LuaScript(`
local text = redis.call('HGET', KEYS[2], ARGV[2])
if text then return {1, text} end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
local owner = redis.call('GET', KEYS[3])
if not owner or owner == ARGV[3] then
  redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
  return {2}
end
return {0, redis.call('PTTL', KEYS[3])}
`);

/** KEYS: epoch, robots, lock. ARGV: epoch, origin, holder, text (absent on failure). */
const STORE = new LuaScript(`
if ARGV[4] and redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('HSET', KEYS[2], ARGV[2], ARGV[4]) end
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return 1
`);

/** KEYS: lock. ARGV: holder, lock ms. */
const EXTEND = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

const MAX_POLL_MS = 250;

export interface RobotsOptions {
  /** How long a fetching worker's lock lasts without renewal. @default 10000 */
  lockMs?: number;
  /** Stops the wait for another worker's fetch; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Gets the robots.txt of `origin` for the fleet: from Redis, or by `fetchText` once. */
export async function fleetRobots(
  link: RedisLink,
  keys: JobKeys,
  epoch: string,
  origin: string,
  fetchText: () => Promise<string>,
  options: RobotsOptions = {},
): Promise<string> {
  const lockMs = options.lockMs ?? 10_000;
  const holder = randomBytes(8).toString("hex");
  const scriptKeys = [keys.epoch, keys.robots, keys.robotsLock(origin)];
  for (let poll = 10; ; poll = Math.min(poll * 2, MAX_POLL_MS)) {
    options.signal?.throwIfAborted();
    const [state, value] = await link.run<[number, string | number | undefined]>(LOOK_UP, scriptKeys, [epoch, origin, holder, lockMs]);
    if (state === 1) return String(value);
    if (state === -1) return fetchText();
    if (state === 2) return fetchAndStore(link, scriptKeys, [epoch, origin, holder], fetchText, lockMs);
    await sleep(Math.min(poll, Math.max(1, Number(value))), undefined, options.signal ? { signal: options.signal } : {});
  }
}

async function fetchAndStore(
  link: RedisLink,
  scriptKeys: string[],
  args: string[],
  fetchText: () => Promise<string>,
  lockMs: number,
): Promise<string> {
  const lock = scriptKeys[2] as string;
  const renewal = setInterval(() => {
    link.run(EXTEND, [lock], [args[2] as string, lockMs]).catch(() => {});
  }, lockMs / 3);
  renewal.unref();
  try {
    const text = await fetchText();
    await link.run(STORE, scriptKeys, [...args, text]);
    return text;
  } catch (error) {
    // Let another worker try at once rather than after the lock expires.
    await link.run(STORE, scriptKeys, args).catch(() => {});
    throw error;
  } finally {
    clearInterval(renewal);
  }
}
