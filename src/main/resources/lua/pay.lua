-- pay.lua: turn a RESERVED order into PAID, unless its hold has run out.
--
-- KEYS[1]  stock hash   tr:{event}:stock
-- KEYS[2]  orders hash  tr:{event}:orders
-- KEYS[3]  expiry zset  tr:{event}:expiry
-- KEYS[4]  stream       tr:{event}:stream  the status change is handed off to PostgreSQL from here
--                                            (entry fields: io.ticketrush.archive.HandoffRecord)
-- ARGV[1]  orderId
--
-- Returns
--   {1, orderId, record, nowMs}     paid, now or by an earlier call (paying twice is not an error)
--   {-409, orderId, record, nowMs}  the hold had expired; the sweeper returns (or returned) its ticket
--   {-404}                          no such order
--#include clock
local stockKey, ordersKey, expiryKey, streamKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local orderId = ARGV[1]

local record = redis.call('HGET', ordersKey, orderId)
if not record then
  return {-404}
end
local nowMs = now_ms()
local status, expiresAt, userId = string.match(record, '^(%u)|(%d+)|(.*)$')
if status == 'P' then
  return {1, orderId, record, nowMs}
end
-- An order whose deadline has passed is expired even before the sweeper gets to it.
if status ~= 'R' or tonumber(expiresAt) <= nowMs then
  return {-409, orderId, record, nowMs}
end

record = 'P|' .. expiresAt .. '|' .. userId
redis.call('HSET', ordersKey, orderId, record)
redis.call('HINCRBY', stockKey, 'reserved', -1)
redis.call('HINCRBY', stockKey, 'paid', 1)
redis.call('ZREM', expiryKey, orderId)
local gen, handoff = unpack(redis.call('HMGET', stockKey, 'gen', 'handoff'))
if handoff ~= '0' then
  redis.call('XADD', streamKey, '*', 'o', orderId, 's', 'P', 'u', userId, 'x', expiresAt, 'g', gen,
    't', string.format('%d', nowMs))
end
return {1, orderId, record, nowMs}
