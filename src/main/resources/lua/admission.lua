-- admission.lua: the admission of one place, once admission has reached its position. Nothing is written:
-- advance.lua admits positions (a batch at a time, each with its window); this looks the place's batch up.
--
-- KEYS[1]  stock hash     tr:{event}:stock
-- KEYS[2]  queue hash     tr:{event}:queue
-- KEYS[3]  admits zset    tr:{event}:admits
-- KEYS[4]  admitinfo hash tr:{event}:admitinfo
-- KEYS[5]  used hash      tr:{event}:used       place -> orderId its admission bought
-- ARGV[1]  the place's generation (from its token: its waiting room's)   ARGV[2] place number   ARGV[3] its position, or '' while
--                                                     the pre-queue's order is not known yet
--
-- Returns
--   {1, expiresAt}                 admitted: the admission is valid until expiresAt
--   {-3, state, reach, paused}     not yet: state PRE_QUEUE or WAITING
--   {-1}                           sold out for good: every ticket is paid, nothing can come back
--   {-409, why}                    this place's admission was used or lapsed
--   {-410}                         the place belongs to an earlier waiting room (the sale was reset or restored since)
--   {-404}                         no waiting room
--#include clock
local stock_key = KEYS[1]
local queue_key = KEYS[2]
local admits_key = KEYS[3]
local admitinfo_key = KEYS[4]
local used_key = KEYS[5]
local place_gen = ARGV[1]
local place = ARGV[2]
local position = tonumber(ARGV[3])

local stock = redis.call('HMGET', stock_key, 'queued', 'tickets', 'paid')
local queued, tickets, paid = stock[1], stock[2], stock[3]
if queued ~= '1' then
  return {-404}
end
if redis.call('HGET', queue_key, 'gen') ~= place_gen then
  return {-410}
end
local q = redis.call('HMGET', queue_key, 'frozen', 'reach', 'paused')
local frozen, reach, paused = q[1], tonumber(q[2]), q[3]
if not frozen then
  return {-3, 'PRE_QUEUE', reach, paused}
end
local reached = position and position <= reach
if reached and redis.call('HEXISTS', used_key, place) == 1 then
  return {-409, 'used'}
end
if tonumber(paid) >= tonumber(tickets) then
  return {-1}
end
if reached then
  local last = redis.call('ZRANGE', admits_key, position, '+inf', 'BYSCORE', 'LIMIT', 0, 1)[1]
  local info = last and redis.call('HGET', admitinfo_key, last)
  local from, expires_at = string.match(info or '', '^(%d+)|(%d+)|')
  -- A window that has passed is lapsed even before advance.lua gets to count it.
  if not from or tonumber(from) > position or tonumber(expires_at) <= now_ms() then
    return {-409, 'lapsed'}
  end
  return {1, tonumber(expires_at)}
end
return {-3, 'WAITING', reach, paused}
