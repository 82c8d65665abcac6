-- open.lua: open a sale, or reset it to a fresh one (every order of the event is discarded).
--
-- KEYS[1]  stock hash   tr:{event}:stock
-- KEYS[2]  buyers hash  tr:{event}:buyers
-- KEYS[3]  orders hash  tr:{event}:orders
-- KEYS[4]  expiry zset  tr:{event}:expiry
-- ARGV[1]  tickets      ARGV[2] hold time in milliseconds
--
-- Returns the sale's new generation number; instances re-compute their local share when it changes.
-- The order sequence 'seq' survives a reset, so order ids of the new sale never repeat old ones.
redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'tickets', ARGV[1], 'reserved', 0, 'paid', 0, 'holdMs', ARGV[2])
return redis.call('HINCRBY', KEYS[1], 'gen', 1)
