#!/usr/bin/env bash
# Approval to submission (issue 17, part 2): Alex asks 1,000 times and Megan approves them all through
# the portal's own endpoints (create_request, then the inbox's approve_requests, 200 a call) with the
# portal's jobs off; then a portal with its jobs on starts and the time until the outbox is empty is
# measured, with Graph healthy and with 30% of Graph's answers faulted (10% 503, 10% 500 and 10%
# carried out but the answer lost). Ends each run by counting on the stand-in, by the reference in
# notes, that every approved request is there exactly once. Ports 3500-3501.
#   scripts/bench/approvals.sh [runs] [requests]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
runs=${1:-3}
n=${2:-1000}
work=$(mktemp -d)
trap 'set +e; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
. scripts/bench/lib.sh
db=portal_bench17_approvals
url=$BENCH_PG/$db
port=3500 simport=3501
faults30='{"rate_503":0.1,"retry_after_seconds":1,"rate_500":0.1,"drop_after_rate":0.1}'

# A Graph-side tally from /_control/received: POSTs made, and how many of them faulted.
posts() {
  curl -sf "http://127.0.0.1:$simport/_control/received?family=graph_requests" | python3 -c '
import json, sys, collections
v = json.load(sys.stdin)["value"]
posts = [r for r in v if r["method"] == "POST"]
kinds = collections.Counter(r.get("fault") or "none" for r in posts)
print("posts=%d gets=%d post_faults=%s" % (len(posts), len(v) - len(posts),
      ",".join("%s:%d" % kv for kv in sorted(kinds.items()) if kv[0] != "none") or "0"))'
}

one_run() { # label, fault spec or ""
  fresh_db $db
  start_sim $simport --manual-approval
  start_portal $port $simport "$url" PORTAL_RUN_JOBS=false
  create_and_approve $port "$n" "$url"
  kill "$portal_pid"; wait "$portal_pid" 2>/dev/null || true
  [ -n "$2" ] && curl -sf -X PUT "http://127.0.0.1:$simport/_control/faults/graph_requests" \
    -H 'content-type: application/json' -d "$2"
  curl -sf -X DELETE "http://127.0.0.1:$simport/_control/received"
  local before_load t0 t1 open
  before_load=$(load)
  t0=$(now_ms)
  start_portal $port $simport "$url"
  for _ in $(seq 1 6000); do # at most 20 minutes
    open=$(psql -At "$url" -c "select count(*) from submissions where done_at is null")
    [ "$open" = 0 ] && break
    sleep 0.2
  done
  t1=$(now_ms)
  local cpu_portal cpu_sim cpu_pg
  cpu_portal=$(cpu_seconds "$portal_pid") cpu_sim=$(cpu_seconds "$sim_pid") cpu_pg=$(pg_cpu_seconds $db)
  curl -sf -X DELETE "http://127.0.0.1:$simport/_control/faults" || true
  printf "%-34s seconds=%s open=%s %s %s %s cpu_s(portal=%s sim=%s pg=%s) load=%s\n" "$1" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1000}')" "$open" \
    "$(portal_outcome "$url")" "$(count_on_graph $simport)" "$(posts)" \
    "$cpu_portal" "$cpu_sim" "$cpu_pg" "$before_load"
  kill "$portal_pid" "$sim_pid"; wait "$portal_pid" "$sim_pid" 2>/dev/null || true
}

echo "== approval to submission: $n requests, $(nproc) cores, $(date -u +%FT%TZ)"
for r in $(seq 1 "$runs"); do
  one_run "approvals, 0% faults, run $r" "" >>"$work/rows"; tail -1 "$work/rows"
  one_run "approvals, 30% faults, run $r" "$faults30" >>"$work/rows"; tail -1 "$work/rows"
done
for f in "0%" "30%"; do
  printf "%-34s %s\n" "approvals, $f faults: seconds" \
    "$(grep "approvals, $f faults" "$work/rows" | sed -E 's/.*seconds=([0-9.]+).*/\1/' | summary)"
done
