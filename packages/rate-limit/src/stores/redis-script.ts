import { createHash } from 'node:crypto'
import type { AlgorithmName } from '../algorithms/algorithm.js'

/** The number each algorithm has in the script's arguments. */
export const ALGORITHM_CODES: Readonly<Record<AlgorithmName, number>> = Object.freeze({
  'sliding-window': 1,
  gcra: 2,
  'token-bucket': 3,
  'fixed-window': 4,
  'sliding-log': 5,
})

/** Plan doubles per policy: code, limit, capacity, windowMs, shadow, nearLimitUnits, tag. */
export const POLICY_ARGS = 7
/** Doubles per policy in a set's stored string: tag, q, a, b, c. */
const BLOCK_DOUBLES = 5
const BLOCK_BYTES = BLOCK_DOUBLES * 8
/** Plan doubles per ban rule, after the policies: after, withinMs, durationMs. */
export const BAN_ARGS = 3
/** Reply fields before the per-policy ones: now, allowed, bannedMs, banStarted. */
export const REPLY_HEADER = 4
/** Reply fields per policy: allowed, remaining, resetMs, retryAfterMs, nearLimit. */
export const REPLY_PER_POLICY = 5

/**
 * The whole decision for one request, in one atomic call: every policy of every set, read, decided
 * all-or-nothing and charged, with time from the Redis server. A line-by-line port of
 * `src/algorithms/*.ts` (same expressions in the same order, so the same doubles come out; JS `%`
 * is `math.fmod`), kept in step with them by the property test comparing both stores.
 *
 * KEYS, set by set: the set's key (`<scope>:{<client>}`, a string of little-endian doubles: `l`,
 * the last instant the set was charged, then per policy a block of `BLOCK_DOUBLES`: its tag (a
 * hash of `policy.id`, so a changed algorithm or window finds no block and starts afresh, while a
 * changed limit keeps the count), `q` (end of the near-limit quiet period) and `a`, `b`, `c` (the
 * algorithm's state)); after it, the sorted set of each sliding-log policy of the set
 * (`<scope>:<policy.id>:{<client>}`, one unique member per admitted request; `a` numbers them).
 * Then one key per ban rule (`<scope>:ban:{<client>}`: three doubles, `s` strikes, `e` end of the
 * strike window, `u` end of the ban). Every state is read by one `MGET` and each set written by
 * one `SET ... PX` (packed with Redis's `struct`: no decimal formatting or parsing of stored
 * numbers, no separate `PEXPIRE`, and one write per set rather than per policy).
 *
 * ARGV: [1] the time in ms ('' = Redis `TIME`, the default), [2] the plan: little-endian doubles,
 * the number of sets, the number of ban rules, then per set its number of policies followed by
 * `POLICY_ARGS` per policy, then `BAN_ARGS` per ban rule (packed once per route by the caller, so a
 * call sends two arguments after its keys).
 *
 * Reply: one string of little-endian doubles (one bulk reply for the client to parse, no number
 * formatting): now, allowed (1/0), bannedMs, banStarted (1/0), then `REPLY_PER_POLICY` per policy.
 *
 * The instant used is the later of the server's time and every set's `l`: a server clock stepped
 * back (NTP) resets no window. Every written key expires when its state stops mattering.
 */
export const RATE_LIMIT_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local EPSILON = 1e-9
local TIME_EPSILON = 1e-3
local floor, ceil, max, min, fmod = math.floor, math.ceil, math.max, math.min, math.fmod

local function fmt(value) return string.format('%.17g', value) end
local function waitMs(delta) if delta <= 0 then return 0 end return ceil(delta) end

local BAN = '<ddd'
local BLOCK = '<ddddd'

local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + floor(tonumber(time[2]) / 1000)
end
-- The plan: packed doubles, computed once per route on the caller's side.
local C = { struct.unpack('<' .. string.rep('d', #ARGV[2] / 8), ARGV[2]) }
local sets, bans = C[1], C[2]
-- Every key's state in one read (a sliding log's sorted set reads as nil here).
local S = redis.call('MGET', unpack(KEYS))

-- Policy sets and their policies, with each policy's block found in its set's string by its tag.
local P = {}
local G = {}
-- The algorithms in use: Lua makes a closure for every function on every call, so only these are defined.
local uses = {}
local count = 0
local at = 3
local key = 1
for g = 1, sets do
  local n = C[at]
  at = at + 1
  local raw = S[key]
  -- The set's string: the instant last charged, then one block per policy (anything else is fresh).
  local blocks = 0
  if raw and #raw >= 8 and (#raw - 8) % ${BLOCK_BYTES} == 0 then
    now = max(now, (struct.unpack('<d', raw)))
    blocks = (#raw - 8) / ${BLOCK_BYTES}
  end
  G[g] = { key = KEYS[key], first = count + 1, last = count + n }
  key = key + 1
  for j = 0, n - 1 do
    -- Every field named up front: the table is sized once, never rehashed as fields are added.
    local p = {
      code = C[at], limit = C[at + 1], capacity = C[at + 2], window = C[at + 3], shadow = C[at + 4] == 1,
      near = C[at + 5], tag = C[at + 6], log = false, a = 0, b = 0, c = 0, q = 0, idle = false,
      allowed = false, remaining = 0, reset = 0, retry = 0, used = 0, nearLimit = 0,
    }
    at = at + ${POLICY_ARGS}
    uses[p.code] = true
    if p.code == 5 then
      p.log = KEYS[key]
      key = key + 1
    end
    -- Its block: where it was written last time, unless the set's policies changed since.
    local tag, q, a, b, c
    if j < blocks then tag, q, a, b, c = struct.unpack(BLOCK, raw, 9 + j * ${BLOCK_BYTES}) end
    if tag ~= p.tag then
      tag = nil
      for k = 0, blocks - 1 do
        tag, q, a, b, c = struct.unpack(BLOCK, raw, 9 + k * ${BLOCK_BYTES})
        if tag == p.tag then break end
        tag = nil
      end
    end
    if tag then p.q, p.a, p.b, p.c = q, a, b, c end
    count = count + 1
    P[count] = p
  end
end
local B = {}
for i = 1, bans do
  local raw = S[key]
  local s, e, u = 0, 0, 0
  if raw and #raw == 24 then s, e, u = struct.unpack(BAN, raw) end
  B[i] = { key = KEYS[key], after = C[at], within = C[at + 1], duration = C[at + 2], s = s, e = e, u = u }
  at = at + ${BAN_ARGS}
  key = key + 1
end

local function refuseForever(p) return false, 0, p.window, p.window, 0 end

-- fixed-window.ts: a = windowStart, b = count.
local fixedEvaluate
if uses[4] then
  function fixedEvaluate(p, admit)
    local capacity = p.capacity
    if capacity < 1 then return refuseForever(p) end
    local windowStart = now - fmod(now, p.window)
    local n = 0
    if p.a == windowStart then n = p.b end
    local untilNextWindow = windowStart + p.window - now
    if admit and n + 1 <= capacity then
      return true, capacity - n - 1, untilNextWindow, 0, n + 1
    end
    local remaining = max(0, capacity - n)
    local allowed = (not admit) and remaining >= 1
    local reset = untilNextWindow
    if n == 0 then reset = 0 end
    local retry = untilNextWindow
    if allowed then retry = 0 end
    return allowed, remaining, reset, retry, n
  end
end

-- sliding-window.ts: a = windowStart, b = previous, c = current.
local slidingLoad, estimateAt, waitFor, slidingEvaluate
if uses[1] then
  function slidingLoad(p)
    local windowStart = now - fmod(now, p.window)
    if p.a == windowStart then return windowStart, p.b, p.c end
    if p.a == windowStart - p.window then return windowStart, p.c, 0 end
    return windowStart, 0, 0
  end

  function estimateAt(time, start, prev, cur, window)
    local elapsed = time - start
    if elapsed < window then return prev * (1 - elapsed / window) + cur end
    if elapsed < 2 * window then return cur * (1 - (elapsed - window) / window) end
    return 0
  end

  function waitFor(start, prev, cur, window, target)
    if target < -EPSILON then return math.huge end
    if estimateAt(now, start, prev, cur, window) <= target + EPSILON then return 0 end
    local at
    if cur <= target + EPSILON then
      at = start + (1 - (target - cur) / prev) * window
    else
      at = start + window * (2 - target / cur)
    end
    local wait = max(1, ceil(at - now))
    while estimateAt(now + wait, start, prev, cur, window) > target + EPSILON do wait = wait + 1 end
    return wait
  end

  function slidingEvaluate(p, admit)
    local capacity = p.capacity
    if capacity < 1 then return refuseForever(p) end
    local window = p.window
    local start, prev, cur = slidingLoad(p)
    local estimate = estimateAt(now, start, prev, cur, window)
    if admit and estimate + 1 <= capacity + EPSILON then
      local used = estimate + 1
      local remaining = max(0, floor(capacity - used + EPSILON))
      local reset = 0
      if remaining < capacity then reset = waitFor(start, prev, cur + 1, window, capacity - remaining - 1) end
      return true, remaining, reset, 0, used
    end
    local remaining = max(0, floor(capacity - estimate + EPSILON))
    local allowed = (not admit) and remaining >= 1
    local reset = 0
    if remaining < capacity then reset = waitFor(start, prev, cur, window, capacity - remaining - 1) end
    local retry = reset
    if allowed then retry = 0 end
    return allowed, remaining, reset, retry, estimate
  end
end

-- gcra.ts: a = theoretical arrival time.
local gcraRemaining, gcraReset, gcraEvaluate
if uses[2] then
  function gcraRemaining(ahead, interval, tolerance, capacity)
    local remaining = floor((tolerance - ahead + TIME_EPSILON) / interval) + 1
    if remaining < 0 then return 0 end
    return min(remaining, capacity)
  end

  function gcraReset(ahead, remaining, interval, tolerance, capacity)
    if remaining >= capacity then return 0 end
    return waitMs(ahead - tolerance + remaining * interval - TIME_EPSILON)
  end

  function gcraEvaluate(p, admit)
    local capacity = p.capacity
    if capacity < 1 or p.limit < 1 then return refuseForever(p) end
    local interval = p.window / p.limit
    local tolerance = (capacity - 1) * interval
    local ahead = max(0, p.a - now)
    if admit and ahead <= tolerance + TIME_EPSILON then
      local nextAhead = ahead + interval
      local remaining = gcraRemaining(nextAhead, interval, tolerance, capacity)
      return true, remaining, gcraReset(nextAhead, remaining, interval, tolerance, capacity), 0, nextAhead / interval
    end
    local remaining = gcraRemaining(ahead, interval, tolerance, capacity)
    local allowed = (not admit) and remaining >= 1
    local reset = gcraReset(ahead, remaining, interval, tolerance, capacity)
    local retry = 0
    if not allowed then retry = max(1, waitMs(ahead - tolerance - TIME_EPSILON)) end
    return allowed, remaining, reset, retry, ahead / interval
  end
end

-- token-bucket.ts: a = missing tokens, b = last update.
local missingAt, refillMs, bucketEvaluate
if uses[3] then
  function missingAt(p, rate)
    local missing = p.a - (now - p.b) * rate
    return max(missing, 0)
  end

  function refillMs(missing, target, rate) return waitMs((missing - target) / rate - TIME_EPSILON) end

  function bucketEvaluate(p, admit)
    local capacity = p.capacity
    if capacity < 1 or p.limit < 1 then return refuseForever(p) end
    local rate = p.limit / p.window
    local slack = EPSILON + TIME_EPSILON * rate
    local missing = missingAt(p, rate)
    if admit and missing + 1 <= capacity + slack then
      local used = missing + 1
      local remaining = max(0, floor(capacity - used + slack))
      local reset = 0
      if remaining < capacity then reset = refillMs(used, capacity - remaining - 1, rate) end
      return true, remaining, reset, 0, used
    end
    local remaining = max(0, floor(capacity - missing + slack))
    local allowed = (not admit) and remaining >= 1
    local reset = 0
    if remaining < capacity then reset = refillMs(missing, capacity - remaining - 1, rate) end
    local retry = 0
    if not allowed then retry = max(1, refillMs(missing, capacity - 1, rate)) end
    return allowed, remaining, reset, retry, missing
  end
end

-- sliding-log.ts: the sorted set holds one member per admitted request, scored by its instant.
local logEvaluate
if uses[5] then
  function logEvaluate(p, admit)
    local capacity = p.capacity
    if capacity < 1 then return refuseForever(p) end
    local window = p.window
    local after = '(' .. fmt(now - window)
    local live = redis.call('ZCOUNT', p.log, after, '+inf')
    local oldest = now
    if live > 0 then
      oldest = tonumber(redis.call('ZRANGEBYSCORE', p.log, after, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2])
    end
    if admit and live + 1 <= capacity then
      return true, capacity - live - 1, waitMs(oldest + window - now), 0, live + 1
    end
    local remaining = max(0, capacity - live)
    local allowed = (not admit) and remaining >= 1
    local reset = 0
    if live > 0 then reset = waitMs(oldest + window - now) end
    local retry = max(1, reset)
    if allowed then retry = 0 end
    return allowed, remaining, reset, retry, live
  end
end

local EVALUATE = { slidingEvaluate, gcraEvaluate, bucketEvaluate, fixedEvaluate, logEvaluate }

-- Charges one admitted request; returns the instant from which the state is a fresh one's.
local function charge(p)
  local window = p.window
  if p.code == 1 then
    local start, prev, cur = slidingLoad(p)
    p.a, p.b, p.c = start, prev, cur + 1
    return p.a + 2 * window
  elseif p.code == 2 then
    p.a = max(p.a, now) + window / p.limit
    return p.a
  elseif p.code == 3 then
    p.a = missingAt(p, p.limit / window) + 1
    p.b = now
    return p.b + (p.a * window) / p.limit
  elseif p.code == 4 then
    local windowStart = now - fmod(now, window)
    local n = 0
    if p.a == windowStart then n = p.b end
    p.a, p.b = windowStart, n + 1
    return p.a + window
  end
  redis.call('ZREMRANGEBYSCORE', p.log, '-inf', fmt(now - window))
  p.a = p.a + 1
  redis.call('ZADD', p.log, fmt(now), fmt(now) .. '-' .. fmt(p.a))
  redis.call('PEXPIRE', p.log, ceil(window))
  return now + window
end

-- Every policy decides at one instant, as if it were the only one.
local bannedMs = 0
for i = 1, bans do
  if B[i].u > now then bannedMs = max(bannedMs, ceil(B[i].u - now)) end
end
local allowedAll = bannedMs == 0
local refused = false
local result = { now, 0, bannedMs, 0 }
for i = 1, count do
  local p = P[i]
  local allowed, remaining, reset, retry, used = EVALUATE[p.code](p, true)
  p.allowed, p.remaining, p.reset, p.retry, p.used, p.nearLimit = allowed, remaining, reset, retry, used, 0
  if not allowed and not p.shadow then
    allowedAll = false
    refused = true
  end
end

-- All or nothing: charge every policy that admitted, or none.
for i = 1, count do
  local p = P[i]
  if p.allowed then
    if allowedAll then
      p.idle = charge(p)
      if p.near > 0 and p.used >= p.near - EPSILON and now >= p.q then
        p.q = now + p.window
        p.nearLimit = 1
      end
    else
      local _, remaining, reset = EVALUATE[p.code](p, false)
      p.remaining, p.reset = remaining, reset
    end
  end
end

-- When an uncharged policy's state stops mattering (the algorithms' idleAt); a sliding log's
-- entries expire with their sorted set.
local function idleOf(p)
  local code, window = p.code, p.window
  if code == 1 then
    if p.c > 0 then return p.a + 2 * window end
    if p.b > 0 then return p.a + window end
    return 0
  elseif code == 2 then
    return p.a
  elseif code == 3 then
    if p.a > 0 then return p.b + (p.a * window) / p.limit end
    return 0
  elseif code == 4 then
    if p.b > 0 then return p.a + window end
    return 0
  end
  return 0
end

-- One write per set: the instant, then every policy's block; kept until the last one stops mattering.
if allowedAll then
  for g = 1, sets do
    local set = G[g]
    local packed = struct.pack('<d', now)
    local until_ = 0
    for i = set.first, set.last do
      local p = P[i]
      packed = packed .. struct.pack(BLOCK, p.tag, p.q, p.a, p.b, p.c)
      local idle = p.idle
      if not idle then idle = idleOf(p) end
      until_ = max(until_, idle, p.q)
    end
    redis.call('SET', set.key, packed, 'PX', max(1, ceil(until_ - now)))
  end
end

-- Strikes: an enforced refusal counts towards a ban.
local banStarted = 0
if refused and bannedMs == 0 then
  for i = 1, bans do
    local b = B[i]
    if b.e <= now then
      b.s = 0
      b.e = now + b.within
    end
    b.s = b.s + 1
    if b.s >= b.after then
      b.s, b.e, b.u = 0, 0, now + b.duration
      banStarted = 1
    end
    redis.call('SET', b.key, struct.pack(BAN, b.s, b.e, b.u), 'PX', max(1, ceil(max(b.e, b.u) - now)))
  end
end

if allowedAll then result[2] = 1 end
result[4] = banStarted
local at = ${REPLY_HEADER}
for i = 1, count do
  local p = P[i]
  if p.allowed then result[at + 1] = 1 else result[at + 1] = 0 end
  result[at + 2], result[at + 3], result[at + 4], result[at + 5] = p.remaining, p.reset, p.retry, p.nearLimit
  at = at + ${REPLY_PER_POLICY}
end
return struct.pack('<' .. string.rep('d', at), unpack(result))
`

/** The script's SHA-1, as `EVALSHA` wants it. */
export const RATE_LIMIT_SCRIPT_SHA: string = createHash('sha1').update(RATE_LIMIT_SCRIPT).digest('hex') // security-lint: Redis names scripts by SHA-1
