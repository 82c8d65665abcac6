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
-- Returns {1, place of the first buyer, gen (the waiting room's, which its place tokens carry), frozen or -1, reach,
-- paused, sold out (1 when every ticket is paid) or 0, places of the second and later buyers...}, or {-404} when the
-- event has no waiting room.
--#include clock
local stock_key = KEYS[1]
local queue_key = KEYS[2]
local places_key = KEYS[3]
local joins_key = KEYS[4]
-- ARGV is read two at a time in the loop below: buyer key, place hash.

local stock = redis.call('HMGET', stock_key, 'queued', 'tickets', 'paid')
local queued, tickets, paid = stock[1], stock[2], stock[3]
if queued ~= '1' then
  return {-404}
end
local q = redis.call('HMGET', queue_key, 'opensAt', 'frozen', 'reach', 'paused', 'gen')
local opens_at, frozen, reach, paused, gen = tonumber(q[1]), q[2], tonumber(q[3]), tonumber(q[4]), q[5]
local places = {}
local clock_read = false
for i = 1, #ARGV, 2 do
  local buyer_key, place_hash = ARGV[i], ARGV[i + 1]
  local place = redis.call('HGET', places_key, buyer_key)
  if not place then
    if not frozen and not clock_read then
      clock_read = true
      if now_ms() >= opens_at then
        frozen = redis.call('HGET', queue_key, 'joined')
        redis.call('HSET', queue_key, 'frozen', frozen)
      end
    end
    place = redis.call('HINCRBY', queue_key, 'joined', 1)
    redis.call('HSET', places_key, buyer_key, place)
    redis.call('RPUSH', joins_key, place_hash)
  end
  places[#places + 1] = tonumber(place)
end
local sold_out = tonumber(paid) >= tonumber(tickets) and 1 or 0
local reply = {1, places[1], gen, tonumber(frozen or '-1'), reach, paused, sold_out}
for i = 2, #places do
  reply[#reply + 1] = places[i]
end
return reply
