-- sweep.lua: expire RESERVED orders whose hold has run out and put their tickets back on sale.
-- Every instance runs it; being one atomic script, each ticket comes back exactly once.
--
-- KEYS[1]  stock hash   tr:{event}:stock
-- KEYS[2]  buyers hash  tr:{event}:buyers
-- KEYS[3]  orders hash  tr:{event}:orders
-- KEYS[4]  expiry zset  tr:{event}:expiry
-- KEYS[5]  stream       tr:{event}:stream  each expiry is handed off to PostgreSQL from here
--                                            (entry fields: io.ticketrush.archive.HandoffRecord)
-- ARGV[1]  most orders to expire in this call (keeps each call short)
-- ARGV[2]  the hand-off's consumer group ('orders')
--
-- Returns {orders expired (= tickets returned), milliseconds until the next reservation may expire, finished}:
-- until the earliest hold left, or a whole hold time when none is left (a reservation made from now on expires no
-- sooner), -1 when Redis has no such sale. The sweepers leave the event alone until then. finished says whether
-- anything is left for the instances to do with the sale, so that they stop walking it (tr:events):
--   0  yes
--   1  the sale is over: every ticket is paid (nothing can be reserved, expire or be paid any more) and every
--      entry of its stream is in PostgreSQL
--   2  Redis has no such sale (deleted, lost, or never opened) and nothing of its stream is left to hand off
-- Only opening it (again) changes that, and opening adds it to tr:events again.
--#include clock
--#include unhanded
local stockKey, buyersKey, ordersKey, expiryKey, streamKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local batchSize, groupName = tonumber(ARGV[1]), ARGV[2]

local gen, handoff, tickets, paid = unpack(redis.call('HMGET', stockKey, 'gen', 'handoff', 'tickets', 'paid'))
if not tickets then
  -- Nothing to sweep: without its counts a sweep would make up a stock hash of its own.
  return {0, -1, unhanded(streamKey, groupName) == 0 and 2 or 0}
end
local nowMs = now_ms()
local due = redis.call('ZRANGEBYSCORE', expiryKey, '-inf', nowMs, 'LIMIT', 0, batchSize)
local expired = 0
for _, orderId in ipairs(due) do
  local record = redis.call('HGET', ordersKey, orderId)
  local expiresAt, userId = string.match(record or '', '^R|(%d+)|(.*)$')
  if expiresAt then
    redis.call('HSET', ordersKey, orderId, 'E|' .. expiresAt .. '|' .. userId)
    redis.call('HINCRBY', stockKey, 'reserved', -1)
    -- The buyer key, by the rule of io.ticketrush.model.BuyerKey (Java's lower case and Lua's agree on ids, which
    -- are ASCII; BuyerKeyIT checks): the one copy of it in Lua.
    local buyer = string.lower(userId)
    -- The buyer may buy again; an order of a later purchase is left alone.
    if redis.call('HGET', buyersKey, buyer) == orderId then
      redis.call('HDEL', buyersKey, buyer)
    end
    if handoff ~= '0' then
      redis.call('XADD', streamKey, '*', 'o', orderId, 's', 'E', 'u', userId, 'x', expiresAt, 'g', gen,
        't', string.format('%d', nowMs))
    end
    expired = expired + 1
  end
  redis.call('ZREM', expiryKey, orderId)
end
local nextDue = redis.call('ZRANGE', expiryKey, 0, 0, 'WITHSCORES')[2]
local holdMs = redis.call('HGET', stockKey, 'holdMs')
local untilNext = -1
if nextDue then
  untilNext = math.max(0, tonumber(nextDue) - nowMs)
elseif holdMs then
  untilNext = tonumber(holdMs)
end
local finished = 0
if tonumber(paid) >= tonumber(tickets) and unhanded(streamKey, groupName) == 0 then
  finished = 1
end
return {expired, untilNext, finished}
