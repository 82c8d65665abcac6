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
local record = redis.call('HGET', KEYS[2], ARGV[1])
if not record then
  return {-404}
end
local clock = redis.call('TIME')
local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
local status, expiresAt, userId = string.match(record, '^(%u)|(%d+)|(.*)$')
if status == 'P' then
  return {1, ARGV[1], record, nowMs}
end
-- An order whose deadline has passed is expired even before the sweeper gets to it.
if status ~= 'R' or tonumber(expiresAt) <= nowMs then
  return {-409, ARGV[1], record, nowMs}
end

record = 'P|' .. expiresAt .. '|' .. userId
redis.call('HSET', KEYS[2], ARGV[1], record)
redis.call('HINCRBY', KEYS[1], 'reserved', -1)
redis.call('HINCRBY', KEYS[1], 'paid', 1)
redis.call('ZREM', KEYS[3], ARGV[1])
local sale = redis.call('HMGET', KEYS[1], 'gen', 'handoff')
if sale[2] ~= '0' then
  redis.call('XADD', KEYS[4], '*', 'o', ARGV[1], 's', 'P', 'u', userId, 'x', expiresAt, 'g', sale[1],
    't', string.format('%d', nowMs))
end
return {1, ARGV[1], record, nowMs}
