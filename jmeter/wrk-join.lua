-- wrk script for jmeter/bench.sh: POST /queue/{eventId}/join with a new userId on every request, so every
-- request takes a new place (joining again would be a different, cheaper path: the same place back).
-- Arguments (after --): eventId, and a prefix that keeps this run's userIds apart from earlier runs'.
-- thread_id is set per thread by setup(); it must stay a global for thread:set to reach it.
local counter = 0
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  path = "/queue/" .. (args[1] or "default") .. "/join"
  prefix = args[2] or "q"
end

function request()
  counter = counter + 1
  local body = "userId=" .. prefix .. "-" .. thread_id .. "-" .. counter
  return wrk.format("POST", path, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
