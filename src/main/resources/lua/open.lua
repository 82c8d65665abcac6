-- open.lua: open a sale, or reset it to a fresh one (every order of the event is discarded).
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
-- The generation: instances re-compute their local share when it changes. It is
-- greater than the last one and at least Redis's clock in microseconds (exact in a Lua number until the year
-- 2255): a sale opened again after Redis lost it, gen and all, must still outrank every generation the database
-- has seen, or its orders would be dropped there as a reset sale's, or counted beside the lost sale's. (This
-- trusts a failed-over server's clock not to lag the old one's by more than the time between the two opens.)
-- The order sequence 'seq' survives a reset, so order ids of the new sale never repeat old ones. The stream
-- is kept: its reset record ('Z') tells the consumers to drop the old sale's rows, older records are skipped;
-- it carries the sale's settings too, so that a sale Redis loses can be restored from the database.
if KEYS[12] then
  local marker = redis.call('GET', KEYS[12])
  if marker then
    local fingerprint, kind, gen = string.match(marker, '^([^|]*)|(%u)|(%d+)$')
    if fingerprint ~= ARGV[11] or kind ~= 'O' then
      return {-422}
    end
    return {2, tonumber(gen)}
  end
end
redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4])
local queued = ARGV[4] ~= nil and ARGV[4] ~= ''
if #KEYS >= 11 then
  redis.call('UNLINK', KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11])
end
-- A deleted sale's tombstone keeps its gen and seq: opened again, it carries on from them.
redis.call('HDEL', KEYS[1], 'deleted', 'deletedAt')
redis.call('HSET', KEYS[1], 'tickets', ARGV[1], 'reserved', 0, 'paid', 0, 'holdMs', ARGV[2], 'handoff', ARGV[3],
  'queued', queued and '1' or '0')
local clock = redis.call('TIME')
local gen = math.max(tonumber(redis.call('HGET', KEYS[1], 'gen') or '0') + 1,
                     clock[1] * 1000000 + clock[2])
redis.call('HSET', KEYS[1], 'gen', string.format('%d', gen))
local pow = (ARGV[10] ~= nil and ARGV[10] ~= '') and ARGV[10] or '0'
if queued then
  -- Counters start at zero; 'frozen' (the pre-queue's size), 'digest' and the measured rate appear later.
  redis.call('HSET', KEYS[6], 'gen', string.format('%d', gen), 'opensAt', ARGV[4], 'rate', ARGV[5],
    'windowMs', ARGV[6], 'overbook', ARGV[7], 'seed', ARGV[8], 'commit', ARGV[9], 'pow', pow, 'paused', 0,
    'joined', 0, 'reach', 0, 'credit', 0, 'lastMs', ARGV[4], 'bought', 0, 'lapsed', 0)
end
-- From the stream's start: nothing written before the group existed may be missed. BUSYGROUP is expected.
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[5], 'orders', '0', 'MKSTREAM')
-- The waiting room's settings go with it, so that a restored sale keeps its waiting room.
if queued then
  redis.call('XADD', KEYS[5], '*', 's', 'Z', 'g', string.format('%d', gen), 'n', ARGV[1], 'h', ARGV[2], 'd', ARGV[3],
    'qo', ARGV[4], 'qr', ARGV[5], 'qw', ARGV[6], 'qb', ARGV[7], 'qp', pow)
else
  redis.call('XADD', KEYS[5], '*', 's', 'Z', 'g', string.format('%d', gen), 'n', ARGV[1], 'h', ARGV[2], 'd', ARGV[3])
end
if KEYS[12] then
  redis.call('SET', KEYS[12], ARGV[11] .. '|O|' .. string.format('%d', gen), 'PX', ARGV[12])
end
return {1, gen}
