-- wrk: a GET of BENCH_PATH, or with BENCH_BODY set a creation through the endpoint the browser uses
-- (POST /api/create_request, JSON); signed in by the cookie and origin the script passes in the
-- environment. Prints one line the script reads: latency percentiles, rate, errors.
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
wrk.path = os.getenv("BENCH_PATH") or "/"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["Origin"] = os.getenv("BENCH_ORIGIN")

-- A creation that did not create (a refusal, a 429) says so once per thread; the script also checks
-- the rows in the database against the count wrk reports.
local told = false
function response(status, headers, answer)
  if body and not told and (status ~= 200 or not string.find(answer, '"created"', 1, true)) then
    told = true
    io.stderr:write("not created: " .. status .. " " .. string.sub(answer, 1, 300) .. "\n")
  end
end

function done(summary, latency, requests)
  io.write(string.format("WRK requests=%d p50_ms=%.2f p99_ms=%.2f rps=%.1f errors=%d\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout))
end
