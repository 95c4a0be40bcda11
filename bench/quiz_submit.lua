-- wrk script for bench/quiz_submit.sh: every request submits (and so grades) a different open
-- 20-question attempt. The prepared requests file has one line per attempt:
--   attempt-id <TAB> access-token <TAB> JSON body with the 20 responses
-- Each wrk thread takes every n-th line; a thread that runs out stops, so no attempt is
-- submitted twice (a repeated submit is idempotent and much cheaper: it would flatter the result).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- args: the requests file and the number of wrk threads (-t).
function init(args)
  local nthreads = tonumber(args[2])
  requests = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == tid then
      local id, token, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/api/v1/attempts/" .. id .. "/submit",
        { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
    end
    i = i + 1
  end
  next_request = 1
  exhausted = false
end

function request()
  if next_request > #requests then
    exhausted = true
    wrk.thread:stop()
    -- Sent at most once per connection while the thread winds down; cheap and harmless.
    return wrk.format("GET", "/healthz")
  end
  local r = requests[next_request]
  next_request = next_request + 1
  return r
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    if thread:get("exhausted") then
      io.write("WARNING: a thread ran out of prepared attempts; prepare more (LEARNERS, QUIZZES) for a full run\n")
    end
  end
  io.write(string.format("submits: %d in %.1f s, non-2xx/3xx: %d\n",
    summary.requests, summary.duration / 1e6, summary.errors.status))
end
