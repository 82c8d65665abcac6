-- includes/clock.lua, pulled into a script by LuaScript where it says --#include clock.
-- now_ms(): Redis's own clock in milliseconds, the one clock every instance shares (TIME is allowed in scripts
-- since Redis 5's effects replication).
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
-- now_us(): the same clock in microseconds (exact in a Lua number until the year 2255), for a generation: two opens
-- within one millisecond must still draw two.
local function now_us()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end
