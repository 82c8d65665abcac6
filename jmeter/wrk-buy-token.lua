-- wrk script for jmeter/bench.sh: POST /buy/ticket with a never-used access token on every request
-- (Authorization: Bearer), for an instance in buyer.auth=oidc: every request is another buyer, and costs the instance
-- one signature check (it remembers only the tokens it has verified).
-- Arguments (after --): eventId; the token file (TokenMint's: one token a line, every line of the same length);
-- the first line to use, from 0; how many threads wrk runs (its -t); and a file into which done() writes the first
-- line no thread reached: where the next run starts, so that no token is sent twice in one instance's life.
-- Thread t sends lines first + t, first + t + threads, ...: threads never share a token. Past the end of the file a
-- request goes without a token and is answered 401, which bench.sh counts as non-2xx and refuses.
-- first, stride, next_file and sent are globals, for done() to read them with thread:get.
package.path = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "?.lua;" .. package.path
local common = require("wrk-common")
setup = common.setup

function init(args)
  body = "eventId=" .. (args[1] or "default")
  tokens = assert(io.open(args[2], "rb"))
  width = #tokens:read("*l") + 1
  first = tonumber(args[3])
  stride = tonumber(args[4])
  next_file = args[5]
  sent = 0
end

function request()
  tokens:seek("set", (first + thread_id + sent * stride) * width)
  local token = tokens:read(width - 1)
  sent = sent + 1
  local bearer = token and #token == width - 1 and { Authorization = "Bearer " .. token } or nil
  return common.post_form("/buy/ticket", body, bearer)
end

-- wrk calls request() once on its first thread before anything is sent (to check what it returns): that line is
-- skipped, never reused.
function done(summary, latency, requests)
  local threads = common.threads
  local most = 0
  for _, thread in ipairs(threads) do
    most = math.max(most, thread:get("sent"))
  end
  local out = assert(io.open(threads[1]:get("next_file"), "w"))
  out:write(threads[1]:get("first") + most * threads[1]:get("stride"), "\n")
  out:close()
end
