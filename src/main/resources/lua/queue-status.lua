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
--#include clock
local stock_key = KEYS[1]
local queue_key = KEYS[2]

local stock = redis.call('HMGET', stock_key, 'queued', 'tickets', 'reserved', 'paid', 'gen')
local queued, tickets, reserved, paid, sale_gen = stock[1], stock[2], stock[3], stock[4], stock[5]
if queued ~= '1' then
  return {-404, sale_gen or ''}
end
local q = redis.call('HMGET', queue_key, 'gen', 'opensAt', 'rate', 'windowMs', 'overbook', 'paused', 'joined',
  'frozen', 'digest', 'reach', 'bought', 'lapsed', 'mRate', 'commit', 'seed', 'pow')
local gen, opens_at, rate, window_ms, overbook, paused = q[1], q[2], q[3], q[4], q[5], q[6]
local joined, frozen, digest, reach, bought, lapsed = q[7], q[8], q[9], q[10], q[11], q[12]
local measured_rate, commitment, seed, pow = q[13], q[14], q[15], q[16]
if not gen then
  return {-404, sale_gen or ''}
end
return {1, gen, opens_at, rate, window_ms, overbook, paused, joined, frozen or '', digest or '', reach, bought, lapsed,
  measured_rate or '', commitment, seed, tickets, reserved, paid, string.format('%d', now_ms()), sale_gen, pow or '0'}
