-- restore.lua: put back a sale Redis has lost, from what PostgreSQL holds of it.
--
-- KEYS     as open.lua: stock, buyers, orders, expiry, stream, then the waiting room's queue, places, joins,
--          admits, admitinfo, used
-- ARGV[1]  tickets      ARGV[2] hold time in milliseconds      ARGV[3] the sale's generation
-- ARGV[4]  the highest order sequence among its orders, so new order ids follow on
-- ARGV[5..11]  its waiting room's opensAt, admissions per second, admission window in ms, overbook factor, a
--          fresh secret seed (hex) and its commitment, and the proof of work a join costs ('0': none); all '' for a
--          sale without a waiting room
-- then five per order still standing: orderId, status letter (R or P), expiresAt, buyer key, userId
--
-- Returns {reserved, paid, gen of the waiting room or 0}, {-409} when Redis has the sale (only a lost sale is
-- restored, never one on sale), or {-410} when it was deleted (its tombstone is there: deleting is not losing).
-- Nothing goes to the stream: these orders are in the database already. An unpaid order past its deadline
-- comes back RESERVED and the sweeper returns its ticket, as it would have.
--
-- The waiting room comes back with its settings but as a new one: its places, draw and admissions were never in
-- the database. It gets a generation of its own, above the sale's (which stays, as the database's rows carry it),
-- so that every place and admission of the lost one is refused as of an earlier sale instead of matching a place
-- or position of the new one.
local stock = redis.call('HMGET', KEYS[1], 'tickets', 'deleted')
if stock[2] then
  return {-410}
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {-409}
end
local reserved, paid = 0, 0
for i = 12, #ARGV, 5 do
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
local queued = ARGV[5] ~= ''
redis.call('HSET', KEYS[1], 'tickets', ARGV[1], 'reserved', reserved, 'paid', paid, 'holdMs', ARGV[2],
  'gen', ARGV[3], 'seq', ARGV[4], 'handoff', '1', 'queued', queued and '1' or '0')
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[5], 'orders', '0', 'MKSTREAM')
local queueGen = 0
if queued then
  local clock = redis.call('TIME')
  queueGen = math.max(tonumber(ARGV[3]) + 1, clock[1] * 1000000 + clock[2])
  redis.call('UNLINK', KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11])
  redis.call('HSET', KEYS[6], 'gen', string.format('%d', queueGen), 'opensAt', ARGV[5], 'rate', ARGV[6],
    'windowMs', ARGV[7], 'overbook', ARGV[8], 'seed', ARGV[9], 'commit', ARGV[10],
    'pow', ARGV[11] ~= '' and ARGV[11] or '0', 'paused', 0, 'joined', 0, 'reach', 0, 'credit', 0, 'lastMs', ARGV[5],
    'bought', 0, 'lapsed', 0)
end
return {reserved, paid, queueGen}
