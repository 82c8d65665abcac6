-- restore.lua: put back a sale Redis has lost, from what PostgreSQL holds of it.
--
-- KEYS     as open.lua: stock, buyers, orders, expiry, stream
-- ARGV[1]  tickets      ARGV[2] hold time in milliseconds      ARGV[3] the sale's generation
-- ARGV[4]  the highest order sequence among its orders, so new order ids follow on
-- then five per order still standing: orderId, status letter (R or P), expiresAt, buyer key, userId
--
-- Returns {reserved, paid}, or {-409} when Redis has the sale: only a lost sale is restored, never one on sale.
-- Nothing goes to the stream: these orders are in the database already. An unpaid order past its deadline
-- comes back RESERVED and the sweeper returns its ticket, as it would have.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {-409}
end
local reserved, paid = 0, 0
for i = 5, #ARGV, 5 do
  local orderId, status, expiresAt = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  redis.call('HSET', KEYS[3], orderId, status .. '|' .. expiresAt .. '|' .. ARGV[i + 4])
  redis.call('HSET', KEYS[2], ARGV[i + 3], orderId)
  if status == 'R' then
    reserved = reserved + 1
    redis.call('ZADD', KEYS[4], expiresAt, orderId)
  else
    paid = paid + 1
  end
end
redis.call('HSET', KEYS[1], 'tickets', ARGV[1], 'reserved', reserved, 'paid', paid, 'holdMs', ARGV[2],
  'gen', ARGV[3], 'seq', ARGV[4], 'handoff', '1')
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[5], 'orders', '0', 'MKSTREAM')
return {reserved, paid}
