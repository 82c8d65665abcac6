-- edge-wait.lua: how long nginx may still be giving out a sold-out answer of this event that reserve.lua said
-- could be shared (its 'edgeUntil'), by Redis's clock. A reset waits it out before it answers, so that nobody is
-- told the new sale is sold out from the old one's answer.
--
-- KEYS[1]  stock hash   tr:{event}:stock   'edgeUntil': ms when the last shared answer expires
--
-- Returns the milliseconds left, 0 when none.
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'edgeUntil') or '0')
local clock = redis.call('TIME')
local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
return math.max(0, untilMs - nowMs)
