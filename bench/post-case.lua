-- wrk script: POST a 随手拍 JSON case at a point in grid 1 of the demo,
-- as a resident with a token (set by bench/intake.sh), and print the
-- latency percentiles and the non-2xx count.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LINLI_BENCH_TOKEN")
-- LINLI_BENCH_SUGGEST=1 leaves the category out, so the server suggests one
-- (jieba + naive Bayes) for every report
local category = os.getenv("LINLI_BENCH_SUGGEST") == "1" and '' or '"category":"0104",'
wrk.body = '{"kind":"snapshot",' .. category .. '"description":"压测:楼前道路有油污",' ..
  '"lng":125.3306,"lat":43.9189,"coord_sys":"wgs84","contact_phone":"13812345678"}'

done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  (%d requests, %d non-2xx, %d socket errors)\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
