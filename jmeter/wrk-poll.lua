-- wrk script for jmeter/bench-prequeue.sh: a polling crowd at a chosen rate. Each connection sends GET to the URL
-- it was given, waits the delay and sends again, so C connections poll at most C x 1000 / delay times a second
-- (less when an answer takes a while).
-- Arguments (after --): the delay in milliseconds between one connection's answer and its next request.
function init(args)
  pause = tonumber(args[1]) or 0
end

function delay()
  return pause
end
