-- held.lua: the order a buyer already holds, read only. Asked when a retried purchase meets a used-up local
-- share: the retry may follow an answer that was lost after its reservation was made, and that buyer must get
-- the order back (-2), not "sold out". Never reserves: a used-up share still sells nothing.
--
-- KEYS[1]  stock hash   tr:{event}:stock
-- KEYS[2]  buyers hash  tr:{event}:buyers
-- KEYS[3]  orders hash  tr:{event}:orders
-- ARGV[1]  buyer key (the userId in lower case)
--
-- Returns
--   {-2, orderId, record, nowMs}   the buyer holds this order
--   {-1}                           the buyer holds none
--   {-404}                         Redis has no such sale: never opened, or lost
--   {-410}                         the sale was deleted
--#include clock
local stockKey, buyersKey, ordersKey = KEYS[1], KEYS[2], KEYS[3]
local buyerKey = ARGV[1]

local tickets, deleted = unpack(redis.call('HMGET', stockKey, 'tickets', 'deleted'))
if not tickets then
  return deleted and {-410} or {-404}
end
local held = redis.call('HGET', buyersKey, buyerKey)
if not held then
  return {-1}
end
return {-2, held, redis.call('HGET', ordersKey, held), now_ms()}
