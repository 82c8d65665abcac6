-- reserve.lua: reserve one ticket for one buyer. The only way a ticket is ever sold.
--
-- KEYS[1]  stock hash   tr:{event}:stock   tickets, reserved, paid, holdMs, gen, seq
-- KEYS[2]  buyers hash  tr:{event}:buyers  buyer key -> orderId of the order the buyer holds
-- KEYS[3]  orders hash  tr:{event}:orders  orderId -> "status|expiresAt|userId", status R, P or E
-- KEYS[4]  expiry zset  tr:{event}:expiry  orderId of every RESERVED order, scored by expiresAt
-- KEYS[5]  stream       tr:{event}:stream  hand-off to PostgreSQL: every new order and status change, in order
--                                            (entry fields: io.ticketrush.archive.HandoffRecord)
-- ARGV[1]  event id
-- ARGV[2]  buyer key: the userId in lower case, so Alice and alice are one buyer
-- ARGV[3]  the userId as the buyer typed it (trimmed)
-- ARGV[4]  random suffix that makes the orderId hard to guess
--
-- Returns
--   {1, orderId, record, nowMs}    reserved; record is the new order
--   {-1}                           sold out: reserved + paid already equals tickets
--   {-2, orderId, record, nowMs}   the buyer already holds this order
--   {-404}                         the event was never opened
local stock = redis.call('HMGET', KEYS[1], 'tickets', 'reserved', 'paid', 'holdMs', 'gen', 'handoff')
if not stock[1] then
  return {-404}
end
local clock = redis.call('TIME')
local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)

local held = redis.call('HGET', KEYS[2], ARGV[2])
if held then
  return {-2, held, redis.call('HGET', KEYS[3], held), nowMs}
end
-- Sold out once reserved + paid reaches tickets: '>=', so the last ticket is sold once and never one more.
if tonumber(stock[2]) + tonumber(stock[3]) >= tonumber(stock[1]) then
  return {-1}
end

local expiresAt = nowMs + tonumber(stock[4])
local orderId = ARGV[1] .. '-' .. redis.call('HINCRBY', KEYS[1], 'seq', 1) .. '-' .. ARGV[4]
local record = 'R|' .. string.format('%d', expiresAt) .. '|' .. ARGV[3]
redis.call('HINCRBY', KEYS[1], 'reserved', 1)
redis.call('HSET', KEYS[2], ARGV[2], orderId)
redis.call('HSET', KEYS[3], orderId, record)
redis.call('ZADD', KEYS[4], expiresAt, orderId)
-- The hand-off record is written by this same atomic script: no reservation can exist without it.
if stock[6] ~= '0' then
  redis.call('XADD', KEYS[5], '*', 'o', orderId, 's', 'R', 'u', ARGV[3], 'x', string.format('%d', expiresAt),
    'g', stock[5], 't', string.format('%d', nowMs))
end
return {1, orderId, record, nowMs}
