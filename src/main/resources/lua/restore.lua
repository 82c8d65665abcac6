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
--#include clock
local stock_key = KEYS[1]
local buyers_key = KEYS[2]
local orders_key = KEYS[3]
local expiry_key = KEYS[4]
local stream_key = KEYS[5]
local queue_key = KEYS[6]
local places_key = KEYS[7]
local joins_key = KEYS[8]
local admits_key = KEYS[9]
local admitinfo_key = KEYS[10]
local used_key = KEYS[11]
local tickets = ARGV[1]
local hold_ms = ARGV[2]
local sale_gen = ARGV[3]
local sequence = ARGV[4]
local opens_at = ARGV[5]
local rate = ARGV[6]
local window_ms = ARGV[7]
local overbook = ARGV[8]
local seed = ARGV[9]
local commitment = ARGV[10]
local pow = ARGV[11] ~= '' and ARGV[11] or '0'
local FIRST_ORDER = 12
local ORDER_FIELDS = 5

local stock = redis.call('HMGET', stock_key, 'tickets', 'deleted')
if stock[2] then
  return {-410}
end
if redis.call('EXISTS', stock_key) == 1 then
  return {-409}
end
local reserved, paid = 0, 0
for i = FIRST_ORDER, #ARGV, ORDER_FIELDS do
  local order_id, status, expires_at, buyer_key, user_id = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  redis.call('HSET', orders_key, order_id, status .. '|' .. expires_at .. '|' .. user_id)
  redis.call('HSET', buyers_key, buyer_key, order_id)
  if status == 'R' then
    reserved = reserved + 1
    redis.call('ZADD', expiry_key, expires_at, order_id)
  else
    paid = paid + 1
  end
end
local queued = opens_at ~= ''
redis.call('HSET', stock_key, 'tickets', tickets, 'reserved', reserved, 'paid', paid, 'holdMs', hold_ms,
  'gen', sale_gen, 'seq', sequence, 'handoff', '1', 'queued', queued and '1' or '0')
pcall(redis.call, 'XGROUP', 'CREATE', stream_key, 'orders', '0', 'MKSTREAM')
local queue_gen = 0
if queued then
  queue_gen = math.max(tonumber(sale_gen) + 1, now_us())
  redis.call('UNLINK', queue_key, places_key, joins_key, admits_key, admitinfo_key, used_key)
  redis.call('HSET', queue_key, 'gen', string.format('%d', queue_gen), 'opensAt', opens_at, 'rate', rate,
    'windowMs', window_ms, 'overbook', overbook, 'seed', seed, 'commit', commitment, 'pow', pow, 'paused', 0,
    'joined', 0, 'reach', 0, 'credit', 0, 'lastMs', opens_at, 'bought', 0, 'lapsed', 0)
end
return {reserved, paid, queue_gen}
