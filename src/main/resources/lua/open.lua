-- open.lua: open a sale, or reset it to a fresh one (every order of the event is discarded).
--
-- KEYS and ARGV are built by io.ticketrush.stock.OpenScript.
--
-- KEYS[1]  stock hash   tr:{event}:stock
-- KEYS[2]  buyers hash  tr:{event}:buyers
-- KEYS[3]  orders hash  tr:{event}:orders
-- KEYS[4]  expiry zset  tr:{event}:expiry
-- KEYS[5]  stream       tr:{event}:stream  hand-off to PostgreSQL, read by the consumer group 'orders'
--                                            (entry fields: io.ticketrush.archive.HandoffRecord)
-- ARGV[1]  tickets      ARGV[2] hold time in milliseconds
-- ARGV[3]  '1' to hand orders off to PostgreSQL, '0' to keep them in Redis only (benchmarks)
--
-- With KEYS[6..11] (the waiting room's: queue hash, places hash, joins list, admits zset, admitinfo hash, used
-- hash; see io.ticketrush.redis.QueueKeys) the sale's waiting room is discarded too, and with ARGV[4..10] a new
-- one is set up:
-- ARGV[4]  opensAt (epoch ms)  ARGV[5] admissions per second  ARGV[6] admission window in ms
-- ARGV[7]  overbook factor     ARGV[8] the secret seed (hex)   ARGV[9] its SHA-256 commitment (hex)
-- ARGV[10] the proof of work a join costs (ALTCHA's maxnumber; '0' or absent: none)
-- (ARGV[4..10] are '' for a sale without a waiting room when ARGV[11] follows.)
--
-- With KEYS[12], the request marker tr:{event}:request:<id>, the opening is applied once per request id: a request
-- that comes again (nginx resending a PUT that timed out, a client repeating its Idempotency-Key) changes nothing
-- and draws no new seed.
-- ARGV[11] the request's fingerprint   ARGV[12] how long the marker is kept, ms
--
-- Returns {1, gen}: opened, gen the sale's new generation; {2, gen}: this request id opened it before (under gen),
-- nothing done; {-422}: this request id was used for another request.
--
-- The generation: instances re-compute their local share when it changes. It is greater than the last one and at
-- least Redis's clock in microseconds (now_us(), exact in a Lua number until the year 2255): a sale opened again
-- after Redis lost it, gen and all, must still outrank every generation the database has seen, or its orders would
-- be dropped there as a reset sale's, or counted beside the lost sale's. (This trusts a failed-over server's clock
-- not to lag the old one's by more than the time between the two opens.)
-- The order sequence 'seq' survives a reset, so order ids of the new sale never repeat old ones. The stream
-- is kept: its reset record ('Z') tells the consumers to drop the old sale's rows, older records are skipped;
-- it carries the sale's settings too, so that a sale Redis loses can be restored from the database.
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
local request_key = KEYS[12]
local tickets = ARGV[1]
local hold_ms = ARGV[2]
local handoff = ARGV[3]
local opens_at = ARGV[4]
local rate = ARGV[5]
local window_ms = ARGV[6]
local overbook = ARGV[7]
local seed = ARGV[8]
local commitment = ARGV[9]
local pow = (ARGV[10] ~= nil and ARGV[10] ~= '') and ARGV[10] or '0'
local fingerprint = ARGV[11]
local marker_ms = ARGV[12]

if request_key then
  local marker = redis.call('GET', request_key)
  if marker then
    local marked_fingerprint, kind, marked_gen = string.match(marker, '^([^|]*)|(%u)|(%d+)$')
    if marked_fingerprint ~= fingerprint or kind ~= 'O' then
      return {-422}
    end
    return {2, tonumber(marked_gen)}
  end
end
redis.call('UNLINK', buyers_key, orders_key, expiry_key)
local queued = opens_at ~= nil and opens_at ~= ''
if used_key then
  redis.call('UNLINK', queue_key, places_key, joins_key, admits_key, admitinfo_key, used_key)
end
-- A deleted sale's tombstone keeps its gen and seq: opened again, it carries on from them.
redis.call('HDEL', stock_key, 'deleted', 'deletedAt')
redis.call('HSET', stock_key, 'tickets', tickets, 'reserved', 0, 'paid', 0, 'holdMs', hold_ms, 'handoff', handoff,
  'queued', queued and '1' or '0')
local gen = string.format('%d', math.max(tonumber(redis.call('HGET', stock_key, 'gen') or '0') + 1, now_us()))
redis.call('HSET', stock_key, 'gen', gen)
if queued then
  -- Counters start at zero; 'frozen' (the pre-queue's size), 'digest' and the measured rate appear later.
  redis.call('HSET', queue_key, 'gen', gen, 'opensAt', opens_at, 'rate', rate, 'windowMs', window_ms,
    'overbook', overbook, 'seed', seed, 'commit', commitment, 'pow', pow, 'paused', 0, 'joined', 0, 'reach', 0,
    'credit', 0, 'lastMs', opens_at, 'bought', 0, 'lapsed', 0)
end
-- From the stream's start: nothing written before the group existed may be missed. BUSYGROUP is expected.
pcall(redis.call, 'XGROUP', 'CREATE', stream_key, 'orders', '0', 'MKSTREAM')
-- The waiting room's settings go with it, so that a restored sale keeps its waiting room.
if queued then
  redis.call('XADD', stream_key, '*', 's', 'Z', 'g', gen, 'n', tickets, 'h', hold_ms, 'd', handoff,
    'qo', opens_at, 'qr', rate, 'qw', window_ms, 'qb', overbook, 'qp', pow)
else
  redis.call('XADD', stream_key, '*', 's', 'Z', 'g', gen, 'n', tickets, 'h', hold_ms, 'd', handoff)
end
if request_key then
  redis.call('SET', request_key, fingerprint .. '|O|' .. gen, 'PX', marker_ms)
end
return {1, tonumber(gen)}
