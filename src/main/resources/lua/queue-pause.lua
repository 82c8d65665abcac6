-- queue-pause.lua: pause ('1') or resume ('0') admission in an event's waiting room. While paused nobody new
-- is admitted and no admission credit accumulates, so resuming does not burst; admissions already given stand.
--
-- KEYS[1]  queue hash   tr:{event}:queue
-- ARGV[1]  '1' to pause, '0' to resume
--
-- Returns 1, or 0 when the event has no waiting room.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local clock = redis.call('TIME')
redis.call('HSET', KEYS[1], 'paused', ARGV[1], 'lastMs', clock[1] * 1000 + math.floor(clock[2] / 1000))
return 1
