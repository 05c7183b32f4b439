-- wrk: POST one 64-feature row to the OIP v2 infer endpoint of model "mlp".
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local row = {}
for i = 1, 64 do row[i] = string.format("%.3f", (i % 17) / 16) end
wrk.body = '{"inputs":[{"name":"input","datatype":"FP32","shape":[1,64],"data":[' .. table.concat(row, ",") .. ']}]}'

local codes = {}
response = function(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors: connect %d read %d write %d timeout %d, non-2xx %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
  io.write(string.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
