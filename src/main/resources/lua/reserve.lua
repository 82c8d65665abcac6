-- reserve.lua: reserve one ticket for one buyer. The only way a ticket is ever sold.
--
-- KEYS[1]  stock hash   tr:{event}:stock   tickets, reserved, paid, holdMs, gen, seq
-- KEYS[2]  buyers hash  tr:{event}:buyers  buyer key -> orderId of the order the buyer holds
-- KEYS[3]  orders hash  tr:{event}:orders  orderId -> "status|expiresAt|userId", status R, P or E
-- KEYS[4]  expiry zset  tr:{event}:expiry  orderId of every RESERVED order, scored by expiresAt
-- KEYS[5]  stream       tr:{event}:stream  hand-off to PostgreSQL: every new order and status change, in order
--                                            (entry fields: io.ticketrush.archive.HandoffRecord)
-- ARGV[1]  event id
-- ARGV[2]  buyer key: the userId in lower case, so Alice and alice are one buyer
-- ARGV[3]  the userId as the buyer typed it (trimmed)
-- ARGV[4]  random suffix that makes the orderId hard to guess
-- ARGV[5]  '1' when a sold-out answer will be shared by nginx with every buyer of the sale until the end of this
--          second (Redis's clock) and, while the next is asked for, one more; the stock hash's 'edgeUntil' (ms)
--          then records when the last such answer can no longer be given, which a reset waits for; '' otherwise
--
-- A sale with a waiting room ('queued' = '1') sells only against an admission, checked and used up here, in
-- the same atomic step as the reservation (see admission.lua and advance.lua):
-- KEYS[6]  queue hash   KEYS[7] admits zset   KEYS[8] admitinfo hash   KEYS[9] used hash (place -> orderId)
-- ARGV[6]  the admission's generation (its waiting room's: the sale's, or a restored waiting room's own)
-- ARGV[7]  its place number   ARGV[8] its position
--
-- Returns
--   {1, orderId, record, nowMs}    reserved; record is the new order
--   {-1, nowMs}                    sold out: reserved + paid already equals tickets
--   {-2, orderId, record, nowMs}   the buyer already holds this order
--   {-404}                         Redis has no such sale: never opened, or lost
--   {-410}                         the sale was deleted (DELETE /admin/events/{id})
--   {-403, why}                    queued sale: no admission, or it is of an earlier waiting room, used, or lapsed
--#include clock
local stockKey, buyersKey, ordersKey, expiryKey, streamKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local queueKey, admitsKey, admitInfoKey, usedKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local eventId, buyerKey, userId, orderSuffix, shared = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local admissionGen, place, admissionPosition = ARGV[6], ARGV[7], ARGV[8]

local tickets, reserved, paid, holdMs, gen, handoff, queued, deleted, edgeUntil = unpack(redis.call('HMGET',
  stockKey, 'tickets', 'reserved', 'paid', 'holdMs', 'gen', 'handoff', 'queued', 'deleted', 'edgeUntil'))
if not tickets then
  return deleted and {-410} or {-404}
end
local nowMs = now_ms()

local held = redis.call('HGET', buyersKey, buyerKey)
if held then
  return {-2, held, redis.call('HGET', ordersKey, held), nowMs}
end
local batch
if queued == '1' then
  if not admissionPosition then
    return {-403, 'required'}
  end
  if admissionGen ~= redis.call('HGET', queueKey, 'gen') then
    return {-403, 'earlier sale'}
  end
  if redis.call('HEXISTS', usedKey, place) == 1 then
    return {-403, 'used'}
  end
  local position = tonumber(admissionPosition)
  batch = redis.call('ZRANGE', admitsKey, position, '+inf', 'BYSCORE', 'LIMIT', 0, 1)[1]
  local from, windowEnd = string.match(batch and redis.call('HGET', admitInfoKey, batch) or '', '^(%d+)|(%d+)|')
  if not from or tonumber(from) > position or tonumber(windowEnd) <= nowMs then
    return {-403, 'lapsed'}
  end
end
-- Sold out once reserved + paid reaches tickets: '>=', so the last ticket is sold once and never one more.
if tonumber(reserved) + tonumber(paid) >= tonumber(tickets) then
  if shared == '1' then
    -- Kept to the end of this second, and given while the next answer is asked for during one more (stale).
    local untilMs = (math.floor(nowMs / 1000) + 2) * 1000
    if tonumber(edgeUntil or '0') < untilMs then
      redis.call('HSET', stockKey, 'edgeUntil', untilMs)
    end
  end
  return {-1, nowMs}
end

local expiresAt = nowMs + tonumber(holdMs)
local orderId = eventId .. '-' .. redis.call('HINCRBY', stockKey, 'seq', 1) .. '-' .. orderSuffix
local record = 'R|' .. string.format('%d', expiresAt) .. '|' .. userId
redis.call('HINCRBY', stockKey, 'reserved', 1)
redis.call('HSET', buyersKey, buyerKey, orderId)
redis.call('HSET', ordersKey, orderId, record)
redis.call('ZADD', expiryKey, expiresAt, orderId)
if batch then
  redis.call('HSET', usedKey, place, orderId)
  redis.call('HINCRBY', queueKey, 'bought', 1)
  local from, windowEnd, bought = string.match(redis.call('HGET', admitInfoKey, batch), '^(%d+)|(%d+)|(%d+)$')
  redis.call('HSET', admitInfoKey, batch, from .. '|' .. windowEnd .. '|' .. (tonumber(bought) + 1))
end
-- The hand-off record is written by this same atomic script: no reservation can exist without it.
if handoff ~= '0' then
  redis.call('XADD', streamKey, '*', 'o', orderId, 's', 'R', 'u', userId, 'x', string.format('%d', expiresAt),
    'g', gen, 't', string.format('%d', nowMs))
end
return {1, orderId, record, nowMs}
