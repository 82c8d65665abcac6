-- handoff-lag.lua: how many hand-off entries of an event are not yet written to PostgreSQL.
--
-- KEYS[1]  stream       tr:{event}:stream
-- ARGV[1]  consumer group ('orders')
--
-- Returns {pending, undelivered}: entries read by a consumer but not acknowledged, and entries no consumer
-- has read yet; both 0 when the stream or the group does not exist.
local stream = KEYS[1]
local groupName = ARGV[1]

local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
if not ok then
  return {0, 0}
end
for _, group in ipairs(groups) do
  local fields = {}
  for i = 1, #group, 2 do
    fields[group[i]] = group[i + 1]
  end
  if fields['name'] == groupName then
    local lag = fields['lag']
    if not lag then
      -- Redis cannot tell after a trim past unread entries: count them.
      lag = #redis.call('XRANGE', stream, '(' .. fields['last-delivered-id'], '+')
    end
    return {fields['pending'], lag}
  end
end
return {0, 0}
