-- queue-pause.lua: pause ('1') or resume ('0') admission in an event's waiting room. While paused nobody new
-- is admitted and no admission credit accumulates, so resuming does not burst; admissions already given stand.
--
-- KEYS[1]  queue hash   tr:{event}:queue
-- ARGV[1]  '1' to pause, '0' to resume
--
-- Returns 1, or 0 when the event has no waiting room.
--#include clock
local queue_key = KEYS[1]
local paused = ARGV[1]

if redis.call('EXISTS', queue_key) == 0 then
  return 0
end
redis.call('HSET', queue_key, 'paused', paused, 'lastMs', now_ms())
return 1
