import { LuaScript } from "./redis-link.js";

/**
 * The atomic steps of the shared queue, as Lua scripts (Redis runs each one alone, start to end).
 * Time is the server's (TIME), so leases mean the same on every machine whatever its clock.
 * A worker's scripts first check the job's epoch: a job removed (after a complete export) or
 * created again under the same name is another job, and nothing is written to it.
 * Each script is safe to send twice (a reply lost to a dropped connection is sent again).
 */

const NOW = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

// Adds entries not seen yet to the queue. KEYS from `first` on are seen-set buckets, one per
// entry; ARGV from `arg` on are (member, entry JSON) pairs. `offered` counts every entry ever
// queued; `max` (nil: none) caps it, as --max-pages does.
const ADD_NEW = `
local function add_new(queue, counts, first, arg, max)
  local offered = tonumber(redis.call('HGET', counts, 'offered') or '0')
  local added = 0
  for i = first, #KEYS do
    if max and offered >= max then break end
    local a = arg + (i - first) * 2
    if redis.call('SADD', KEYS[i], ARGV[a]) == 1 then
      redis.call('RPUSH', queue, ARGV[a + 1])
      offered = offered + 1
      added = added + 1
    end
  end
  if added > 0 then redis.call('HINCRBY', counts, 'offered', added) end
  return added
end
`;

/**
 * KEYS: config, epoch. ARGV: settings JSON, new epoch. Creates the job when it does not exist;
 * returns {settings JSON as stored, epoch}.
 */
export const OPEN_JOB = new LuaScript(`
local stored = redis.call('GET', KEYS[1])
if not stored then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[2])
  stored = ARGV[1]
end
return {stored, redis.call('GET', KEYS[2])}
`);

/**
 * KEYS: epoch, queue, counts, then one seen bucket per entry. ARGV: epoch, max pages ('' for
 * none), then (member, entry) pairs. Returns the number queued, or -1 when the job is gone.
 */
export const OFFER = new LuaScript(`${ADD_NEW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
return add_new(KEYS[2], KEYS[3], 4, 3, tonumber(ARGV[2]))
`);

/**
 * KEYS: epoch, queue, leased, leases, token, counts. ARGV: epoch, count, lease ms, reclaim limit.
 * First returns expired claims to the head of the queue, then leases up to `count` entries, each
 * under a new fencing token. Returns {token, entry, token, entry, …}, or false when the job is gone.
 */
export const CLAIM = new LuaScript(`${NOW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
for i = #expired, 1, -1 do
  local entry = redis.call('HGET', KEYS[3], expired[i])
  if entry then redis.call('LPUSH', KEYS[2], entry) end
  redis.call('HDEL', KEYS[3], expired[i])
  redis.call('ZREM', KEYS[4], expired[i])
end
if #expired > 0 then redis.call('HINCRBY', KEYS[6], 'reclaimed', #expired) end
local out = {}
local expiry = now + tonumber(ARGV[3])
for i = 1, tonumber(ARGV[2]) do
  local entry = redis.call('LPOP', KEYS[2])
  if not entry then break end
  local token = redis.call('INCR', KEYS[5])
  redis.call('HSET', KEYS[3], token, entry)
  redis.call('ZADD', KEYS[4], expiry, token)
  out[#out + 1] = token
  out[#out + 1] = entry
end
return out
`);

/**
 * KEYS: epoch, queue, leased, leases, counts, records, committed marker, then one seen bucket per
 * link. ARGV: epoch, token, record, ok ('1'/'0'), marker ms, max pages, then (member, entry) pairs.
 * Only while the token still holds its claim: appends the record, queues the new links, releases
 * the claim and counts it. Returns {1, links queued}; {2, 0} when this token was committed
 * already (a retried call); {0, 0} when the claim is not held (expired and taken back).
 */
export const COMMIT = new LuaScript(`${ADD_NEW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0, 0} end
if redis.call('HDEL', KEYS[3], ARGV[2]) == 0 then
  if redis.call('EXISTS', KEYS[7]) == 1 then return {2, 0} end
  return {0, 0}
end
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('XADD', KEYS[6], '*', 'record', ARGV[3])
redis.call('HINCRBY', KEYS[5], 'committed', 1)
if ARGV[4] ~= '1' then redis.call('HINCRBY', KEYS[5], 'failed', 1) end
redis.call('SET', KEYS[7], '1', 'PX', ARGV[5])
return {1, add_new(KEYS[2], KEYS[5], 8, 7, tonumber(ARGV[6]))}
`);

/**
 * KEYS: epoch, then one seen bucket per URL. ARGV: epoch, then one member per URL. Marks URLs as
 * seen without queueing them (the page a redirect led to, fetched already). Returns how many were new.
 */
export const MARK_SEEN = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local added = 0
for i = 2, #KEYS do added = added + redis.call('SADD', KEYS[i], ARGV[i]) end
return added
`);

/**
 * KEYS: epoch, queue, leased, leases. ARGV: epoch, token. Gives an unfinished claim back to the
 * head of the queue. Returns 1, or 0 when the claim was not held.
 */
export const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local entry = redis.call('HGET', KEYS[3], ARGV[2])
if not entry then return 0 end
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('LPUSH', KEYS[2], entry)
return 1
`);

/**
 * KEYS: epoch, leases, workers. ARGV: epoch, lease ms, worker id, live ms, then tokens.
 * The worker's heartbeat, and a new expiry for each claim it still holds. Returns one 1 (held)
 * or 0 (lost) per token, or false when the job is gone.
 */
export const RENEW = new LuaScript(`${NOW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local now = now_ms()
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[3])
local out = {}
for i = 5, #ARGV do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) then
    redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`);

/**
 * KEYS: epoch, queue, leased, leases, counts, workers, records. ARGV: none.
 * One consistent reading: {epoch or '', queued, claimed, offered, committed, failed, reclaimed,
 * workers seen, workers live, records not yet exported, ms until the next lease expires or -1}.
 */
export const READ_STATE = new LuaScript(`${NOW}
local now = now_ms()
local counts = redis.call('HMGET', KEYS[5], 'offered', 'committed', 'failed', 'reclaimed')
local next_expiry = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
local wait = -1
if next_expiry[2] then wait = math.max(0, tonumber(next_expiry[2]) - now) end
return {
  redis.call('GET', KEYS[1]) or '',
  redis.call('LLEN', KEYS[2]),
  redis.call('HLEN', KEYS[3]),
  tonumber(counts[1] or '0'), tonumber(counts[2] or '0'), tonumber(counts[3] or '0'), tonumber(counts[4] or '0'),
  redis.call('ZCARD', KEYS[6]),
  redis.call('ZCOUNT', KEYS[6], '(' .. now, '+inf'),
  redis.call('XLEN', KEYS[7]),
  wait
}
`);
