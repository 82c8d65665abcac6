-- digest-lease.lua: take, or keep, the lease on computing a frozen pre-queue's digest. The digest is the same
-- whoever computes it, so the lease is not there for correctness: it lets one instance read the pre-queue while
-- the others wait, instead of every instance reading all of it at once. It expires by itself, so an instance that
-- dies while computing leaves the work to the next one that asks.
--
-- KEYS[1]  queue hash   tr:{event}:queue        'gen', 'frozen', 'digest' (see advance.lua)
-- KEYS[2]  lease        tr:{event}:digestlease  "<gen>|<holder>", expiring after the lease time
-- ARGV[1]  the waiting room's generation (its 'gen': the sale's, or a restored waiting room's own) the caller
--          computes for
-- ARGV[2]  the caller: an id unique to one run of one instance
-- ARGV[3]  the lease time in milliseconds
--
-- Returns 1 when the caller holds the lease (taken now, or kept for another lease time), 0 when another caller
-- holds it, -1 when there is nothing to compute: no waiting room, another generation (the sale was reset), the
-- pre-queue not frozen yet, or its digest recorded already. A lease of an earlier generation is no one's: the
-- sale was reset since, and it is taken over.
local queue_key = KEYS[1]
local lease_key = KEYS[2]
local gen = ARGV[1]
local holder = ARGV[2]
local lease_ms = ARGV[3]

local q = redis.call('HMGET', queue_key, 'gen', 'frozen', 'digest')
local queue_gen, frozen, digest = q[1], q[2], q[3]
if queue_gen ~= gen or not frozen or digest then
  return -1
end
local mine = gen .. '|' .. holder
local current = redis.call('GET', lease_key)
if current and current ~= mine and string.sub(current, 1, #gen + 1) == gen .. '|' then
  return 0
end
redis.call('SET', lease_key, mine, 'PX', lease_ms)
return 1
