-- members-report.lua: every instance's heartbeat and last report, read together (the operations dashboard).
--
-- KEYS[1]  live zset     tr:{members}:live    member = instance name, score = Redis time (ms) it expires at
-- KEYS[2]  weights hash  tr:{members}:weight  instance name -> weight
-- KEYS[3]  reports hash  tr:{members}:report  instance name -> "<Redis time of its last beat, ms> <its report>"
-- ARGV[1]  how long a report of an instance no longer alive is kept, ms
--
-- Returns {Redis time (ms), {name, expires at (ms), ...} of the instances alive, {name, weight, ...},
-- {name, "<ms> <report>", ...}}. Reports of instances gone for longer than ARGV[1] are deleted.
--#include clock
local liveKey, weightsKey, reportsKey = KEYS[1], KEYS[2], KEYS[3]
local keepGoneMs = tonumber(ARGV[1])

local now = now_ms()
local alive = redis.call('ZRANGEBYSCORE', liveKey, '(' .. now, '+inf', 'WITHSCORES')
local living = {}
for i = 1, #alive, 2 do
  living[alive[i]] = true
end
local reports = redis.call('HGETALL', reportsKey)
local kept = {}
for i = 1, #reports, 2 do
  local name, value = reports[i], reports[i + 1]
  local beat = tonumber(string.match(value, '^(%d+) '))
  if not living[name] and (beat == nil or beat < now - keepGoneMs) then
    redis.call('HDEL', reportsKey, name)
  else
    kept[#kept + 1] = name
    kept[#kept + 1] = value
  end
end
return {now, alive, redis.call('HGETALL', weightsKey), kept}
