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
--#include clock
local stock_key = KEYS[1]
local queue_key = KEYS[2]
local admits_key = KEYS[3]
local admitinfo_key = KEYS[4]
local new_digest = ARGV[1]
local new_digest_gen = ARGV[2]

local q = redis.call('HMGET', queue_key, 'opensAt', 'rate', 'windowMs', 'overbook', 'paused', 'joined', 'frozen',
  'digest', 'reach', 'credit', 'lastMs', 'bought', 'lapsed', 'mAt', 'mReach', 'gen', 'mRate')
local opens_at, rate, window_ms, overbook = tonumber(q[1]), tonumber(q[2]), tonumber(q[3]), tonumber(q[4])
local paused, joined, frozen, digest = q[5], q[6], q[7], q[8]
local reach, credit, last_ms = tonumber(q[9]), tonumber(q[10]), tonumber(q[11])
local bought, lapsed = tonumber(q[12]), tonumber(q[13])
local measured_at, measured_reach = tonumber(q[14]), tonumber(q[15] or '0')
local gen, measured_rate = q[16], q[17] or '0'
if not opens_at then
  return {0}
end
local now = now_ms()
if now < opens_at then
  return {1, -1, 0, gen, rate, '0', 0, opens_at - now}
end
if not frozen then
  frozen = joined
  redis.call('HSET', queue_key, 'frozen', frozen, 'mAt', now, 'mReach', 0, 'mRate', '0')
end
if not digest then
  if new_digest == '' or new_digest_gen ~= gen then
    return {1, tonumber(frozen), 0, gen, rate, '0', 0}
  end
  digest = new_digest
  redis.call('HSET', queue_key, 'digest', digest, 'lastMs', now)
  last_ms = now
end

for _ = 1, 1000 do
  local first = redis.call('ZRANGE', admits_key, 0, 0)[1]
  if not first then
    break
  end
  local from, expires_at, batch_bought = string.match(redis.call('HGET', admitinfo_key, first), '^(%d+)|(%d+)|(%d+)$')
  if tonumber(expires_at) > now then
    break
  end
  lapsed = lapsed + (tonumber(first) - tonumber(from) + 1) - tonumber(batch_bought)
  redis.call('ZREM', admits_key, first)
  redis.call('HDEL', admitinfo_key, first)
end

local stock = redis.call('HMGET', stock_key, 'tickets', 'reserved', 'paid')
local tickets, reserved, paid = tonumber(stock[1]), tonumber(stock[2]), tonumber(stock[3])
if paused ~= '1' then
  -- At most one second's worth accumulates: a pause or a full budget is not made up for with a burst.
  credit = math.min(credit + (now - last_ms) * rate / 1000, math.max(rate, 1))
  local available = tickets - reserved - paid
  local budget = math.floor(available * overbook + 1e-9) - (reach - bought - lapsed)
  local step = math.min(math.floor(credit), budget, tonumber(joined) - reach)
  if step > 0 then
    local window_end = now + window_ms
    redis.call('ZADD', admits_key, reach + step, reach + step)
    redis.call('HSET', admitinfo_key, reach + step, (reach + 1) .. '|' .. window_end .. '|0')
    reach = reach + step
    credit = credit - step
  end
end
redis.call('HSET', queue_key, 'reach', reach, 'lapsed', lapsed, 'credit', string.format('%.6f', credit),
  'lastMs', now)
if not measured_at then
  -- A join froze the pre-queue: measuring starts now.
  redis.call('HSET', queue_key, 'mAt', now, 'mReach', reach, 'mRate', '0')
elseif now - measured_at >= 5000 then
  measured_rate = string.format('%.3f', (reach - measured_reach) * 1000 / (now - measured_at))
  redis.call('HSET', queue_key, 'mAt', now, 'mReach', reach, 'mRate', measured_rate)
end
local done = paid >= tickets and redis.call('ZCARD', admits_key) == 0
return {1, tonumber(frozen), 1, gen, rate, measured_rate, done and 1 or 0}
