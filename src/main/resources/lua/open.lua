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
-- Returns the sale's new generation number; instances re-compute their local share when it changes. It is
-- greater than the last one and at least Redis's clock in microseconds (exact in a Lua number until the year
-- 2255): a sale opened again after Redis lost it, gen and all, must still outrank every generation the database
-- has seen, or its orders would be dropped there as a reset sale's, or counted beside the lost sale's. (This
-- trusts a failed-over server's clock not to lag the old one's by more than the time between the two opens.)
-- The order sequence 'seq' survives a reset, so order ids of the new sale never repeat old ones. The stream
-- is kept: its reset record ('Z') tells the consumers to drop the old sale's rows, older records are skipped;
-- it carries the sale's settings too, so that a sale Redis loses can be restored from the database.
redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'tickets', ARGV[1], 'reserved', 0, 'paid', 0, 'holdMs', ARGV[2], 'handoff', ARGV[3])
local clock = redis.call('TIME')
local gen = math.max(tonumber(redis.call('HGET', KEYS[1], 'gen') or '0') + 1,
                     clock[1] * 1000000 + clock[2])
redis.call('HSET', KEYS[1], 'gen', string.format('%d', gen))
-- From the stream's start: nothing written before the group existed may be missed. BUSYGROUP is expected.
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[5], 'orders', '0', 'MKSTREAM')
redis.call('XADD', KEYS[5], '*', 's', 'Z', 'g', string.format('%d', gen), 'n', ARGV[1], 'h', ARGV[2], 'd', ARGV[3])
return gen
