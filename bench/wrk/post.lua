-- POST from ever new visitors: each request gets its own client address (X-Forwarded-For,
-- from the 198.18.0.0/15 benchmarking range; the server trusts one proxy in bench runs) and
-- "{n}" in the body becomes a number unique in this run (and not used by the run a second
-- before, the warm-up: flood control and dedupe would turn them away).
-- Arguments: body, content type, then extra "Name: value" headers.
local body, n = "", 0

init = function(args)
  n = (os.time() % 1000) * 100000
  body = args[1]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = args[2]
  for i = 3, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

request = function()
  n = n + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["X-Forwarded-For"] = string.format(
    "198.%d.%d.%d", 18 + math.floor(n / 65536) % 2, math.floor(n / 256) % 256, n % 256)
  return wrk.format(nil, nil, headers, (body:gsub("{n}", tostring(n))))
end
