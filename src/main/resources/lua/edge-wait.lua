-- edge-wait.lua: how long nginx may still be giving out a sold-out answer of this event that reserve.lua said
-- could be shared (its 'edgeUntil'), by Redis's clock. A reset waits it out before it answers, so that nobody is
-- told the new sale is sold out from the old one's answer.
--
-- KEYS[1]  stock hash   tr:{event}:stock   'edgeUntil': ms when the last shared answer expires
--
-- Returns the milliseconds left, 0 when none.
--#include clock
local stock_key = KEYS[1]

local until_ms = tonumber(redis.call('HGET', stock_key, 'edgeUntil') or '0')
return math.max(0, until_ms - now_ms())
