-- order.lua: read one order together with Redis's clock, so its status is judged by the same clock
-- that set its deadline (instances on other hosts may disagree by a few milliseconds).
--
-- KEYS[1]  orders hash  tr:{event}:orders
-- ARGV[1]  orderId
--
-- Returns {1, orderId, record, nowMs}, or {-404} when there is no such order.
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then
  return {-404}
end
local clock = redis.call('TIME')
return {1, ARGV[1], record, clock[1] * 1000 + math.floor(clock[2] / 1000)}
