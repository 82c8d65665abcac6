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
--#include clock
--#include unhanded
local stockKey, streamKey = KEYS[1], KEYS[5]
local markerKey = KEYS[12]
local groupName, requestFingerprint, markerKeepMs = ARGV[1], ARGV[2], ARGV[3]
-- KEYS[2] to KEYS[11] are only ever removed, all together.
local FIRST_REMOVED, LAST_REMOVED = 2, 11

if markerKey then
  local marker = redis.call('GET', markerKey)
  if marker then
    local fingerprint, kind, counts = string.match(marker, '^([^|]*)|(%u)|(.*)$')
    if fingerprint ~= requestFingerprint or kind ~= 'D' then
      return {-422}
    end
    local tickets, reserved, paid = string.match(counts, '^(%d+)|(%d+)|(%d+)$')
    return {2, tonumber(tickets), tonumber(reserved), tonumber(paid)}
  end
end
local tickets, reserved, paid, gen, seq, edgeUntil = unpack(redis.call('HMGET', stockKey, 'tickets', 'reserved',
  'paid', 'gen', 'seq', 'edgeUntil'))
if not tickets then
  return {-404}
end
local left = unhanded(streamKey, groupName)
if left > 0 then
  return {-409, left}
end
redis.call('UNLINK', unpack(KEYS, FIRST_REMOVED, LAST_REMOVED))
local nowMs = now_ms()
redis.call('DEL', stockKey)
redis.call('HSET', stockKey, 'deleted', 1, 'deletedAt', string.format('%d', nowMs), 'gen', gen, 'seq', seq or 0)
if edgeUntil then
  -- A sale opened again under this id waits, as after a reset, for nginx to stop giving this one's "sold out".
  redis.call('HSET', stockKey, 'edgeUntil', edgeUntil)
end
if markerKey then
  redis.call('SET', markerKey, requestFingerprint .. '|D|' .. tickets .. '|' .. reserved .. '|' .. paid, 'PX',
    markerKeepMs)
end
return {1, tonumber(tickets), tonumber(reserved), tonumber(paid)}
