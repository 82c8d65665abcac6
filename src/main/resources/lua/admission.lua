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
local stock = redis.call('HMGET', KEYS[1], 'queued', 'gen', 'tickets', 'paid')
if stock[1] ~= '1' then
  return {-404}
end
if redis.call('HGET', KEYS[2], 'gen') ~= ARGV[1] then
  return {-410}
end
local q = redis.call('HMGET', KEYS[2], 'frozen', 'digest', 'reach', 'paused')
local reach = tonumber(q[3])
if not q[1] then
  return {-3, 'PRE_QUEUE', reach, q[4]}
end
local position = tonumber(ARGV[3])
local reached = position and position <= reach
if reached and redis.call('HEXISTS', KEYS[5], ARGV[2]) == 1 then
  return {-409, 'used'}
end
if tonumber(stock[4]) >= tonumber(stock[3]) then
  return {-1}
end
if reached then
  local last = redis.call('ZRANGE', KEYS[3], position, '+inf', 'BYSCORE', 'LIMIT', 0, 1)[1]
  local info = last and redis.call('HGET', KEYS[4], last)
  local from, expiresAt = string.match(info or '', '^(%d+)|(%d+)|')
  local clock = redis.call('TIME')
  local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
  -- A window that has passed is lapsed even before advance.lua gets to count it.
  if not from or tonumber(from) > position or tonumber(expiresAt) <= nowMs then
    return {-409, 'lapsed'}
  end
  return {1, tonumber(expiresAt)}
end
return {-3, 'WAITING', reach, q[4]}
