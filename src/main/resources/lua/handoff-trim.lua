-- handoff-trim.lua: trim the hand-off stream below the oldest entry the consumer group still needs.
-- An entry goes only once every entry before it has been acknowledged (written to PostgreSQL).
--
-- KEYS[1]  stream       tr:{event}:stream
-- ARGV[1]  consumer group ('orders')
--
-- Returns the number of entries removed.
local stream = KEYS[1]
local groupName = ARGV[1]

local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
if not ok then
  return 0
end
local lastDelivered
for _, group in ipairs(groups) do
  local fields = {}
  for i = 1, #group, 2 do
    fields[group[i]] = group[i + 1]
  end
  if fields['name'] == groupName then
    lastDelivered = fields['last-delivered-id']
  end
end
if not lastDelivered or lastDelivered == '0-0' then
  return 0
end
-- Everything below the smallest pending id, or when nothing is pending everything up to the last
-- delivered one, has been acknowledged. XTRIM MINID keeps the id given.
local pending = redis.call('XPENDING', stream, groupName)
local keep = pending[2] or lastDelivered
return redis.call('XTRIM', stream, 'MINID', keep)
