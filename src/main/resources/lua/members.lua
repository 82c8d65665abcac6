-- members.lua: one instance's heartbeat, and the total weight of every instance alive.
--
-- KEYS[1]  live zset     tr:{members}:live    member = instance name, score = Redis time (ms) it expires at
-- KEYS[2]  weights hash  tr:{members}:weight  instance name -> weight
-- KEYS[3]  reports hash  tr:{members}:report  instance name -> "<Redis time of its last beat, ms> <its report>"
-- ARGV[1]  instance name   ARGV[2] its weight (0: the instance is leaving)   ARGV[3] time to live in ms
-- ARGV[4]  the instance's report, published with the beat (its counters, as JSON; empty: keep the last one)
--
-- Returns {total weight alive, instances alive}. Instances size their local shares by it, so when one dies
-- (it stops beating) or joins, the shares of the others re-open to cover the whole stock between them.
-- Redis's clock judges expiry: instances on other hosts may disagree by a few milliseconds.
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
if tonumber(ARGV[2]) > 0 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  if ARGV[4] ~= '' then
    -- The dashboard's figures for this instance: one write a beat, never one a request. Kept when the
    -- instance dies or leaves, so its last figures stay readable (members-report.lua prunes old ones).
    redis.call('HSET', KEYS[3], ARGV[1], now .. ' ' .. ARGV[4])
  end
else
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #dead > 0 then
  redis.call('ZREM', KEYS[1], unpack(dead))
  redis.call('HDEL', KEYS[2], unpack(dead))
end
local alive = redis.call('ZRANGE', KEYS[1], 0, -1)
local total = 0
if #alive > 0 then
  for _, weight in ipairs(redis.call('HMGET', KEYS[2], unpack(alive))) do
    total = total + (tonumber(weight) or 0)
  end
end
return {total, #alive}
