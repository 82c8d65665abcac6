-- wrk script for jmeter/bench.sh: POST /queue/{eventId}/join with a new buyer and its solved proof of work on every
-- request, for a queued sale that asks for one: every request is checked (one SHA-256, one HMAC) and takes a place.
-- Arguments (after --): eventId, and the directory of PowMint's files: thread t sends the lines of pow-<t>.txt in
-- turn ("userId pow", pow form-encoded). Past the end of its file a thread joins without pow, answered 403, which
-- bench.sh counts as non-2xx and refuses.
package.path = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "?.lua;" .. package.path
local common = require("wrk-common")
setup = common.setup

function init(args)
  path = "/queue/" .. (args[1] or "default") .. "/join"
  solutions = assert(io.open(args[2] .. "/pow-" .. thread_id .. ".txt", "r"))
end

function request()
  local line = solutions:read("*l")
  local body = "userId=none-left"
  if line then
    local space = line:find(" ", 1, true)
    body = "userId=" .. line:sub(1, space - 1) .. "&pow=" .. line:sub(space + 1)
  end
  return common.post_form(path, body)
end
