-- order.lua: read one order together with Redis's clock, so its status is judged by the same clock
-- that set its deadline (instances on other hosts may disagree by a few milliseconds).
--
-- KEYS[1]  orders hash  tr:{event}:orders
-- KEYS[2]  stock hash   tr:{event}:stock
-- ARGV[1]  orderId
--
-- Returns {1, orderId, record, nowMs}, or {-404, gen} when Redis holds no such order: gen is the sale's
-- current generation (0 when Redis has no sale), so that an archived order of a sale reset since is not
-- shown while the reset is still on its way to PostgreSQL.
--#include clock
local ordersKey, stockKey = KEYS[1], KEYS[2]
local orderId = ARGV[1]

local record = redis.call('HGET', ordersKey, orderId)
if not record then
  return {-404, tonumber(redis.call('HGET', stockKey, 'gen') or '0')}
end
return {1, orderId, record, now_ms()}
