-- wrk-common.lua: what the wrk scripts of jmeter/ share, loaded by each with
--   package.path = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "?.lua;" .. package.path
--   local common = require("wrk-common")
-- (wrk runs LuaJIT, one Lua state per thread and one more for setup() and done(); each loads the script, and so
-- this module, from the script's own directory whatever the working directory is).
local common = { threads = {} }

-- Give it to wrk as setup: wrk calls it in its main state once per thread before any starts, and thread:set puts
-- the thread's number (0, 1, ...) into that thread's own state as the global thread_id, where init() and request()
-- read it (it must stay a global for thread:set to reach it). done() finds the threads in common.threads.
function common.setup(thread)
  thread:set("thread_id", #common.threads)
  table.insert(common.threads, thread)
end

-- Buyer n of this thread: prefix-thread-n, apart from every other thread's and, by the prefix, every other run's.
function common.buyer(prefix, n)
  return prefix .. "-" .. thread_id .. "-" .. n
end

-- A POST of form fields, as the buyer's page sends them; headers, when given, go with the form's Content-Type.
function common.post_form(path, body, headers)
  local all = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if headers then
    for name, value in pairs(headers) do
      all[name] = value
    end
  end
  return wrk.format("POST", path, all, body)
end

return common
