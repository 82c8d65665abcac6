-- join.lua: give a buyer their place in an event's waiting room, or the place they already have.
--
-- KEYS[1]  stock hash   tr:{event}:stock   'queued' is '1' for a sale with a waiting room
-- KEYS[2]  queue hash   tr:{event}:queue   settings and counters (see open.lua and advance.lua)
-- KEYS[3]  places hash  tr:{event}:places  buyer key -> place number
-- KEYS[4]  joins list   tr:{event}:joins   place hashes in join order: element i is place i + 1 (public)
-- ARGV[1]  buyer key (the userId in lower case)
-- ARGV[2]  the buyer's place hash (an HMAC of event and buyer: public, never the user id)
--
-- Places are numbered 1, 2, ... in arrival order. Whoever joins before opensAt (by Redis's clock) is in the
-- pre-queue, which the first script to run at or after opensAt freezes: its size is the number of places then.
--
-- Returns {1, place, gen, frozen or -1, reach, paused, sold out (1 when every ticket is paid) or 0}, or {-404}
-- when the event has no waiting room.
local stock = redis.call('HMGET', KEYS[1], 'queued', 'gen', 'tickets', 'paid')
if stock[1] ~= '1' then
  return {-404}
end
local q = redis.call('HMGET', KEYS[2], 'opensAt', 'frozen', 'joined', 'reach', 'paused')
local frozen = q[2]
local place = redis.call('HGET', KEYS[3], ARGV[1])
if not place then
  local clock = redis.call('TIME')
  local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
  if not frozen and nowMs >= tonumber(q[1]) then
    frozen = q[3]
    redis.call('HSET', KEYS[2], 'frozen', frozen)
  end
  place = redis.call('HINCRBY', KEYS[2], 'joined', 1)
  redis.call('HSET', KEYS[3], ARGV[1], place)
  redis.call('RPUSH', KEYS[4], ARGV[2])
end
local soldOut = tonumber(stock[4]) >= tonumber(stock[3]) and 1 or 0
return {1, tonumber(place), stock[2], tonumber(frozen or '-1'), tonumber(q[4]), tonumber(q[5]), soldOut}
