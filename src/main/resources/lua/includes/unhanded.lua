-- includes/unhanded.lua, pulled into a script by LuaScript where it says --#include unhanded.
-- unhanded(stream, group): how many entries of a hand-off stream the consumer group has not written to PostgreSQL
-- yet, those read but not acknowledged and those not read alike; 0 when there is no stream. A stream without the
-- group counts whole: no consumer has started on it.
local function unhanded(stream, group)
  if redis.call('EXISTS', stream) == 0 then
    return 0
  end
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
  if ok then
    for _, found in ipairs(groups) do
      local fields = {}
      for i = 1, #found, 2 do
        fields[found[i]] = found[i + 1]
      end
      if fields['name'] == group then
        local lag = fields['lag']
        if not lag then
          -- Redis cannot tell after a trim past unread entries: count them.
          lag = #redis.call('XRANGE', stream, '(' .. fields['last-delivered-id'], '+')
        end
        return fields['pending'] + lag
      end
    end
  end
  return redis.call('XLEN', stream)
end
