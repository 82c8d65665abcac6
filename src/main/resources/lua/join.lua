-- join.lua: give buyers their places in an event's waiting room, or the places they already have.
--
-- KEYS[1]  stock hash   tr:{event}:stock   'queued' is '1' for a sale with a waiting room
-- KEYS[2]  queue hash   tr:{event}:queue   settings and counters (see open.lua and advance.lua)
-- KEYS[3]  places hash  tr:{event}:places  buyer key -> place number
-- KEYS[4]  joins list   tr:{event}:joins   place hashes in join order: element i is place i + 1 (public)
-- ARGV     pairs, one per buyer, in arrival order (an instance joins its concurrent buyers in one call):
--          the buyer key (the userId in lower case), the buyer's place hash (an HMAC of event and buyer:
--          public, never the user id)
--
-- Places are numbered 1, 2, ... in arrival order. Whoever joins before opensAt (by Redis's clock) is in the
-- pre-queue, which the first script to run at or after opensAt freezes: its size is the number of places then.
--
-- Returns {1, place of the first buyer, gen (the waiting room's, which its place tokens carry), frozen or -1, reach, paused, sold out (1 when every ticket is paid)
-- or 0, places of the second and later buyers...}, or {-404} when the event has no waiting room.
local stock = redis.call('HMGET', KEYS[1], 'queued', 'gen', 'tickets', 'paid')
if stock[1] ~= '1' then
  return {-404}
end
local q = redis.call('HMGET', KEYS[2], 'opensAt', 'frozen', 'joined', 'reach', 'paused', 'gen')
local frozen = q[2]
local places = {}
local nowMs
for i = 1, #ARGV, 2 do
  local place = redis.call('HGET', KEYS[3], ARGV[i])
  if not place then
    if not frozen and not nowMs then
      local clock = redis.call('TIME')
      nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
      if nowMs >= tonumber(q[1]) then
        frozen = redis.call('HGET', KEYS[2], 'joined')
        redis.call('HSET', KEYS[2], 'frozen', frozen)
      end
    end
    place = redis.call('HINCRBY', KEYS[2], 'joined', 1)
    redis.call('HSET', KEYS[3], ARGV[i], place)
    redis.call('RPUSH', KEYS[4], ARGV[i + 1])
  end
  places[#places + 1] = tonumber(place)
end
local soldOut = tonumber(stock[4]) >= tonumber(stock[3]) and 1 or 0
local reply = {1, places[1], q[6], tonumber(frozen or '-1'), tonumber(q[4]), tonumber(q[5]), soldOut}
for i = 2, #places do
  reply[#reply + 1] = places[i]
end
return reply
