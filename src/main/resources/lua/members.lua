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
--#include clock
local liveKey, weightsKey, reportsKey = KEYS[1], KEYS[2], KEYS[3]
local instance, weight, ttlMs, report = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local now = now_ms()
if tonumber(weight) > 0 then
  redis.call('ZADD', liveKey, now + tonumber(ttlMs), instance)
  redis.call('HSET', weightsKey, instance, weight)
  if report ~= '' then
    -- The dashboard's figures for this instance: one write a beat, never one a request. Kept when the
    -- instance dies or leaves, so its last figures stay readable (members-report.lua prunes old ones).
    redis.call('HSET', reportsKey, instance, now .. ' ' .. report)
  end
else
  redis.call('ZREM', liveKey, instance)
  redis.call('HDEL', weightsKey, instance)
end
local dead = redis.call('ZRANGEBYSCORE', liveKey, '-inf', now)
if #dead > 0 then
  redis.call('ZREM', liveKey, unpack(dead))
  redis.call('HDEL', weightsKey, unpack(dead))
end
local alive = redis.call('ZRANGE', liveKey, 0, -1)
local total = 0
if #alive > 0 then
  for _, aliveWeight in ipairs(redis.call('HMGET', weightsKey, unpack(alive))) do
    total = total + (tonumber(aliveWeight) or 0)
  end
end
return {total, #alive}
