-- wrk script for jmeter/bench.sh: POST /buy/ticket with a new userId on every request.
-- Arguments (after --): eventId, a prefix that keeps this run's userIds apart from earlier runs', and
-- optionally more form parameters to append (e.g. "&retry=true").
package.path = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "?.lua;" .. package.path
local common = require("wrk-common")
setup = common.setup

local counter = 0

function init(args)
  event = args[1] or "default"
  prefix = args[2] or "w"
  extra = args[3] or ""
end

function request()
  counter = counter + 1
  return common.post_form("/buy/ticket", "userId=" .. common.buyer(prefix, counter) .. "&eventId=" .. event .. extra)
end
