-- wrk script for jmeter/bench.sh and jmeter/bench-prequeue.sh: POST /queue/{eventId}/join with a new userId on every
-- request, so every request takes a new place (joining again would be a different, cheaper path: the same place
-- back).
-- Arguments (after --): eventId, a prefix that keeps this run's userIds apart from earlier runs', and optionally
-- how many distinct buyers to join in all and over how many threads (wrk's -t, at most the total): each thread
-- stops taking new places at its share and joins its last buyer again, which takes none, until wrk is stopped.
-- UserIds are prefix-thread-n, n from 1.
package.path = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "?.lua;" .. package.path
local common = require("wrk-common")
setup = common.setup

local counter = 0

function init(args)
  path = "/queue/" .. (args[1] or "default") .. "/join"
  prefix = args[2] or "q"
  local total, threads = tonumber(args[3]), tonumber(args[4])
  if total and threads then
    -- The first total % threads threads take one more, so the shares add up to the total exactly.
    quota = math.floor(total / threads) + (thread_id < total % threads and 1 or 0)
  end
  -- wrk calls request() once on its first thread before anything is sent, to count the requests it returns: that
  -- buyer is never sent, so the first thread counts from one lower and its share is joined whole.
  if thread_id == 0 then
    counter = -1
  end
end

function request()
  if not quota or counter < quota then
    counter = counter + 1
  end
  return common.post_form(path, "userId=" .. common.buyer(prefix, counter))
end
