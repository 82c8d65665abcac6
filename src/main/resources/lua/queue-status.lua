-- queue-status.lua: one consistent reading of an event's waiting room and stock, for the shared queue state,
-- the admin ledger and the fairness record. Read-only.
--
-- KEYS[1]  stock hash   tr:{event}:stock
-- KEYS[2]  queue hash   tr:{event}:queue
--
-- Returns {-404, the sale's gen or ''} without a waiting room, else
--   {1, gen, opensAt, rate, windowMs, overbook, paused, joined, frozen|'', digest|'', reach, bought, lapsed,
--    mRate|'', commit, seed, tickets, reserved, paid, nowMs, the sale's gen, proof of work (0: none)}
-- (the seed is secret until the queue opens: the caller reveals it only once frozen). gen is the waiting room's:
-- the sale's, except after a restore, which gives the waiting room one of its own.
local stock = redis.call('HMGET', KEYS[1], 'queued', 'tickets', 'reserved', 'paid', 'gen')
if stock[1] ~= '1' then
  return {-404, stock[5] or ''}
end
local q = redis.call('HMGET', KEYS[2], 'gen', 'opensAt', 'rate', 'windowMs', 'overbook', 'paused', 'joined',
  'frozen', 'digest', 'reach', 'bought', 'lapsed', 'mRate', 'commit', 'seed', 'pow')
if not q[1] then
  return {-404, stock[5] or ''}
end
local clock = redis.call('TIME')
local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
return {1, q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8] or '', q[9] or '', q[10], q[11], q[12], q[13] or '',
  q[14], q[15], stock[2], stock[3], stock[4], string.format('%d', nowMs), stock[5], q[16] or '0'}
