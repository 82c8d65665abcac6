-- wrk script for jmeter/bench.sh: POST /buy/ticket with a new userId on every request.
-- Arguments (after --): eventId, a prefix that keeps this run's userIds apart from earlier runs', and
-- optionally more form parameters to append (e.g. "&retry=true").
-- thread_id is set per thread by setup(); it must stay a global for thread:set to reach it.
local counter = 0
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  event = args[1] or "default"
  prefix = args[2] or "w"
  extra = args[3] or ""
end

function request()
  counter = counter + 1
  local body = "userId=" .. prefix .. "-" .. thread_id .. "-" .. counter .. "&eventId=" .. event .. extra
  return wrk.format("POST", "/buy/ticket", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
