-- delete.lua: delete a sale (DELETE /admin/events/{id}) once every entry of its hand-off stream is in PostgreSQL.
--
-- KEYS[1]  stock hash   tr:{event}:stock   becomes the sale's tombstone: 'deleted', 'deletedAt', 'gen', 'seq',
--                                          'edgeUntil' (see reserve.lua)
-- KEYS[2..5]            buyers hash, orders hash, expiry zset, stream: removed
-- KEYS[6..11]           the waiting room's queue, places, joins, admits, admitinfo, used: removed
-- KEYS[12] (optional)   request marker tr:{event}:request:<id>: the request id this deletion is applied under
-- ARGV[1]  the hand-off's consumer group ('orders')
-- ARGV[2]  the request's fingerprint (with KEYS[12])   ARGV[3] how long the marker is kept, ms
--
-- Returns
--   {1, tickets, reserved, paid}   deleted; the counts it had
--   {2, tickets, reserved, paid}   this request id deleted it before: nothing done, the counts it had then
--   {-404}                         Redis has no such sale (never opened, deleted already, or lost)
--   {-409, entries}                the hand-off has not written this many entries to PostgreSQL yet
--   {-422}                         this request id was used for another request
--
-- The tombstone keeps the generation and the order sequence, so that a sale opened again under this id outranks
-- every earlier one and never repeats an order id, and it tells a deleted sale from one Redis lost; and when nginx
-- may still be sharing the sale's "sold out", until when.
--#include unhanded
if KEYS[12] then
  local marker = redis.call('GET', KEYS[12])
  if marker then
    local fingerprint, kind, counts = string.match(marker, '^([^|]*)|(%u)|(.*)$')
    if fingerprint ~= ARGV[2] or kind ~= 'D' then
      return {-422}
    end
    local tickets, reserved, paid = string.match(counts, '^(%d+)|(%d+)|(%d+)$')
    return {2, tonumber(tickets), tonumber(reserved), tonumber(paid)}
  end
end
local sale = redis.call('HMGET', KEYS[1], 'tickets', 'reserved', 'paid', 'gen', 'seq', 'edgeUntil')
if not sale[1] then
  return {-404}
end
local left = unhanded(KEYS[5], ARGV[1])
if left > 0 then
  return {-409, left}
end
redis.call('UNLINK', unpack(KEYS, 2, 11))
local clock = redis.call('TIME')
local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'deleted', 1, 'deletedAt', string.format('%d', nowMs), 'gen', sale[4], 'seq', sale[5] or 0)
if sale[6] then
  -- A sale opened again under this id waits, as after a reset, for nginx to stop giving this one's "sold out".
  redis.call('HSET', KEYS[1], 'edgeUntil', sale[6])
end
if KEYS[12] then
  redis.call('SET', KEYS[12], ARGV[2] .. '|D|' .. sale[1] .. '|' .. sale[2] .. '|' .. sale[3], 'PX', ARGV[3])
end
return {1, tonumber(sale[1]), tonumber(sale[2]), tonumber(sale[3])}
