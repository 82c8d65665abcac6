-- wrk script for jmeter/bench.sh: GET /queue/{eventId}/challenge for a new buyer on every request, as each buyer of
-- a sale with a proof of work asks once before joining: the instance makes and signs a new challenge every time.
-- Arguments (after --): eventId, and a prefix that keeps this run's userIds apart from earlier runs'.
package.path = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "?.lua;" .. package.path
local common = require("wrk-common")
setup = common.setup

local counter = 0

function init(args)
  base = "/queue/" .. (args[1] or "default") .. "/challenge?userId="
  prefix = args[2] or "c"
end

function request()
  counter = counter + 1
  return wrk.format("GET", base .. common.buyer(prefix, counter))
end
