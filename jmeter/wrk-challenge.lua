-- wrk script for jmeter/bench.sh: GET /queue/{eventId}/challenge for a new buyer on every request, as each buyer of
-- a sale with a proof of work asks once before joining: the instance makes and signs a new challenge every time.
-- Arguments (after --): eventId, and a prefix that keeps this run's userIds apart from earlier runs'.
-- thread_id is set per thread by setup(); it must stay a global for thread:set to reach it.
local counter = 0
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  base = "/queue/" .. (args[1] or "default") .. "/challenge?userId=" .. (args[2] or "c") .. "-" .. thread_id .. "-"
end

function request()
  counter = counter + 1
  return wrk.format("GET", base .. counter)
end
