-- advance.lua: move an event's waiting room on. Every instance runs it every few hundred milliseconds; being
-- one atomic script that measures time by Redis's clock, several instances running it at once admit no one
-- twice and no faster than the rate.
--
-- KEYS[1]  stock hash     tr:{event}:stock
-- KEYS[2]  queue hash     tr:{event}:queue
-- KEYS[3]  admits zset    tr:{event}:admits     one member per admission batch: its last position, scored by it
-- KEYS[4]  admitinfo hash tr:{event}:admitinfo  last position -> "first position|expiresAt|bought"
-- ARGV[1]  the frozen pre-queue's digest, once an instance has computed it ('' until then)
-- ARGV[2]  with a digest: the sale's generation it was computed for; a digest of another one is not recorded
--          (the sale was reset while it was being computed, so it is the digest of another pre-queue)
--
-- What it does, in order:
--   1. At opensAt, freezes the pre-queue (its size is the number of places then), if no join did already.
--   2. Records the digest (of this generation's pre-queue); positions (and so admission) wait for it.
--   3. Lapses batches whose admission window has passed: their places that did not buy are 'lapsed', and
--      their slots go back to the budget.
--   4. Unless paused, admits the next positions ('reach' grows) at 'rate' per second, but never beyond the
--      budget: admitted-and-unused (reach - bought - lapsed) stays at most floor(available x overbook), so
--      with overbook 1 nobody is admitted for a ticket that does not exist.
--   5. Every 5 s or more, measures the admission rate actually reached.
--
-- Returns {0} without a waiting room, else {1, frozen or -1, 1 if the digest is known else 0, gen, rate,
-- measured rate (a string), 1 when done (sold out for good and no admission window open) else 0}; before
-- opensAt a last element follows: the milliseconds until it, by Redis's clock (nothing moves until then).
local q = redis.call('HMGET', KEYS[2], 'opensAt', 'rate', 'windowMs', 'overbook', 'paused', 'joined', 'frozen',
  'digest', 'reach', 'credit', 'lastMs', 'bought', 'lapsed', 'mAt', 'mReach', 'gen', 'mRate')
if not q[1] then
  return {0}
end
local clock = redis.call('TIME')
local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
local opensAt, joined = tonumber(q[1]), tonumber(q[6])
local frozen, digest = q[7], q[8]
if nowMs < opensAt then
  return {1, -1, 0, q[16], tonumber(q[2]), '0', 0, opensAt - nowMs}
end
if not frozen then
  frozen = q[6]
  redis.call('HSET', KEYS[2], 'frozen', frozen, 'mAt', nowMs, 'mReach', 0, 'mRate', '0')
end
if not digest then
  if ARGV[1] == '' or ARGV[2] ~= q[16] then
    return {1, tonumber(frozen), 0, q[16], tonumber(q[2]), '0', 0}
  end
  digest = ARGV[1]
  redis.call('HSET', KEYS[2], 'digest', digest, 'lastMs', nowMs)
  q[11] = tostring(nowMs)
end

local lapsed = tonumber(q[13])
for _ = 1, 1000 do
  local first = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  if not first then
    break
  end
  local from, expiresAt, bought = string.match(redis.call('HGET', KEYS[4], first), '^(%d+)|(%d+)|(%d+)$')
  if tonumber(expiresAt) > nowMs then
    break
  end
  lapsed = lapsed + (tonumber(first) - tonumber(from) + 1) - tonumber(bought)
  redis.call('ZREM', KEYS[3], first)
  redis.call('HDEL', KEYS[4], first)
end

local reach, bought = tonumber(q[9]), tonumber(q[12])
local credit = tonumber(q[10])
local stock = redis.call('HMGET', KEYS[1], 'tickets', 'reserved', 'paid')
if q[5] ~= '1' then
  local rate = tonumber(q[2])
  -- At most one second's worth accumulates: a pause or a full budget is not made up for with a burst.
  credit = math.min(credit + (nowMs - tonumber(q[11])) * rate / 1000, math.max(rate, 1))
  local available = tonumber(stock[1]) - tonumber(stock[2]) - tonumber(stock[3])
  local budget = math.floor(available * tonumber(q[4]) + 1e-9) - (reach - bought - lapsed)
  local step = math.min(math.floor(credit), budget, joined - reach)
  if step > 0 then
    local windowEnd = nowMs + tonumber(q[3])
    redis.call('ZADD', KEYS[3], reach + step, reach + step)
    redis.call('HSET', KEYS[4], reach + step, (reach + 1) .. '|' .. windowEnd .. '|0')
    reach = reach + step
    credit = credit - step
  end
end
redis.call('HSET', KEYS[2], 'reach', reach, 'lapsed', lapsed, 'credit', string.format('%.6f', credit),
  'lastMs', nowMs)
local mRate = q[17] or '0'
local measuredAt = tonumber(q[14])
if not measuredAt then
  -- A join froze the pre-queue: measuring starts now.
  redis.call('HSET', KEYS[2], 'mAt', nowMs, 'mReach', reach, 'mRate', '0')
elseif nowMs - measuredAt >= 5000 then
  mRate = string.format('%.3f', (reach - tonumber(q[15] or '0')) * 1000 / (nowMs - measuredAt))
  redis.call('HSET', KEYS[2], 'mAt', nowMs, 'mReach', reach, 'mRate', mRate)
end
local done = tonumber(stock[3]) >= tonumber(stock[1]) and redis.call('ZCARD', KEYS[3]) == 0
return {1, tonumber(frozen), 1, q[16], tonumber(q[2]), mRate, done and 1 or 0}
