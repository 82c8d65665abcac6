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
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then
  return {-404, tonumber(redis.call('HGET', KEYS[2], 'gen') or '0')}
end
local clock = redis.call('TIME')
return {1, ARGV[1], record, clock[1] * 1000 + math.floor(clock[2] / 1000)}
