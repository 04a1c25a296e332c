#!/usr/bin/env bash
# Resilience runs (issue 17), each bounded in time and ending with a count of what was lost or doubled.
# Release builds (scripts/build-site.sh --release first), PostgreSQL, ports 3540-3569, databases
# portal_bench17_*.
#   kill      kill -9 the portal every 2-4 s while Megan approves 1,000 requests (50 a call, sent again
#             when the portal is down) and while they are submitted, restarting it each time; Graph
#             answers after 30 ms, so kills land between a POST and its commit. Every approved request
#             must end on Graph exactly once.
#   db-cut    the portal reaches Postgres through a TCP proxy this script controls: under creation
#             load, with 200 approved requests being submitted, the link is cut for 10 s (connections
#             reset, the port closed), then hung for 10 s (connections reset, new ones accepted and
#             never answered). The portal must answer 503 fast, recover by itself, lose nothing. The
#             submission lease is 30 s, so rows claimed at the cut come back within the run.
#   replicas  three portals on one database, all running the jobs; 300 requests approved and submitted
#             with 10% of Graph's answers lost, the stand-in approving each after 1 s so the change
#             feed moves; the replica holding the poller's advisory lock is killed halfway. One poller
#             at a time, no submission twice, no history row twice.
#   scripts/resilience.sh [kill|db-cut|replicas|all]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
what=${1:-all}
work=$(mktemp -d)
trap 'set +e; kill $(jobs -p) 2>/dev/null; [ -f "$work/portal.pid" ] && kill -9 $(cat "$work/portal.pid") 2>/dev/null; [ -f "$work/pids" ] && kill -9 $(cat "$work/pids") 2>/dev/null; wait 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"' EXIT
. scripts/bench/lib.sh

secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) / 1000}'; }

wait_outbox_empty() { # database URL, seconds at most; prints the seconds waited
  local t0 open
  t0=$(now_ms)
  for _ in $(seq 1 $(( $2 * 5 ))); do
    open=$(psql -At "$1" -c "select count(*) from submissions where done_at is null" 2>/dev/null || echo "?")
    [ "$open" = 0 ] && break
    sleep 0.2
  done
  secs "$t0" "$(now_ms)"
}

# History rows written twice: a request submitted twice, or one Graph change applied twice.
history_doubles() { # database URL
  psql -At "$1" -c "select 'submit_twice=' || (select count(*) from (select request_id from request_history
        where event = 'submit' group by request_id having count(*) > 1) d)
      || ' change_twice=' || (select count(*) from (select details->>'change_id' from request_history
        where event = 'graph_update' group by 1 having count(*) > 1) d)"
}

run_kill() {
  local db=portal_bench17_kill port=3540 simport=3541 n=${KILL_REQUESTS:-1000}
  local url=$BENCH_PG/$db
  fresh_db $db
  start_sim $simport --manual-approval
  echo "$sim_pid" >>"$work/pids"
  curl -sf -X PUT "http://127.0.0.1:$simport/_control/faults/graph_requests" -H 'content-type: application/json' \
    -d '{"latency_ms":30}'
  start_portal $port $simport "$url" PORTAL_RUN_JOBS=false
  create_requests $port "$n"
  kill "$portal_pid"; wait "$portal_pid" 2>/dev/null || true
  # A short lease, so a row a killed portal held comes back in seconds rather than 5 minutes.
  local settings=(PORTAL_REQUESTS__SUBMISSION__LEASE=6)
  start_portal $port $simport "$url" "${settings[@]}"
  echo "$portal_pid" >"$work/portal.pid"
  (
    kills=0
    while [ ! -f "$work/stop-killing" ]; do
      sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.1f", 2 + 2 * r / 32767}')"
      kill_hard "$(cat "$work/portal.pid")"
      kills=$((kills + 1))
      start_portal $port $simport "$url" "${settings[@]}"
      echo "$portal_pid" >"$work/portal.pid"
    done
    echo "$kills" >"$work/kills"
  ) &
  local killer=$! t0
  t0=$(now_ms)
  approve_all $port 50 "$url"
  local approved_in
  approved_in=$(secs "$t0" "$(now_ms)")
  sleep 15 # and more kills while the outbox drains
  touch "$work/stop-killing"
  wait "$killer"
  local drained
  drained=$(wait_outbox_empty "$url" 180)
  printf "%-28s kills=%s approvals_took=%ss drained_after_last_kill=%ss %s %s %s adopted=%s load=%s\n" "kill -9 during $n approvals" \
    "$(cat "$work/kills")" "$approved_in" "$drained" "$(portal_outcome "$url")" "$(count_on_graph $simport)" \
    "$(history_doubles "$url")" \
    "$(psql -At "$url" -c "select count(*) from request_history where event = 'submit' and details->>'adopted' = 'true'")" "$(load)"
  kill "$(cat "$work/portal.pid")" "$sim_pid" 2>/dev/null; wait 2>/dev/null || true
}

run_db_cut() {
  local db=portal_bench17_dbcut port=3550 simport=3551 proxy=3552
  local url=$BENCH_PG/$db
  fresh_db $db
  start_sim $simport --manual-approval
  echo "$sim_pid" >>"$work/pids"
  curl -sf -X PUT "http://127.0.0.1:$simport/_control/faults/graph_requests" -H 'content-type: application/json' \
    -d '{"latency_ms":100}'
  python3 scripts/bench/tcp-proxy.py $proxy 127.0.0.1 5432 2>>"$work/proxy.log" &
  local proxy_pid=$!
  echo "$proxy_pid" >>"$work/pids"
  sleep 0.5
  # Rows claimed when the link goes wait out their lease before another pass takes them (the try
  # that held them could not record its end): 30 s here instead of the default 5 minutes.
  start_portal $port $simport "postgres://postgres@127.0.0.1:$proxy/$db" PORTAL_REQUESTS__SUBMISSION__LEASE=30
  echo "$portal_pid" >>"$work/pids"
  create_requests $port 200 # approved at 8 s, so their submissions run into the cut
  sign_in $port "$work/alex" $ALEX_OID
  # Load: 4 clients asking one after another; each answer logged as: start_ms code seconds id.
  local t0 stop=$work/stop-load
  t0=$(now_ms)
  for c in 1 2 3 4; do
    (
      while [ ! -f "$stop" ]; do
        s=$(now_ms)
        out=$(curl -s -m 30 -o "$work/answer-$c" -w '%{http_code} %{time_total}' -b "$work/alex" \
          -H "origin: http://127.0.0.1:$port" -H 'content-type: application/json' \
          "http://127.0.0.1:$port/api/create_request" --data "$BENCH_REQUEST" || echo "000 0")
        id=$(grep -o '"id":"[0-9a-f-]*"' "$work/answer-$c" 2>/dev/null | head -1 | cut -d'"' -f4 || true)
        echo "$((s - t0)) $out ${id:--}" >>"$work/load-$c"
      done
    ) &
  done
  # The readiness probe, as a load balancer asks it.
  (
    while [ ! -f "$stop" ]; do
      s=$(now_ms)
      out=$(curl -s -m 30 -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/readyz" || echo "000 0")
      echo "$((s - t0)) $out" >>"$work/probe"
      sleep 0.2
    done
  ) &
  sleep 8
  approve_all $port 200 "$url"
  sleep "$(awk -v t0="$t0" -v now="$(now_ms)" 'BEGIN {w = 10 - (now - t0) / 1000; printf "%.1f", (w > 0 ? w : 0)}')"
  local cut_at hang_at
  cut_at=$(( $(now_ms) - t0 )); kill -USR1 $proxy_pid; sleep 10; kill -HUP $proxy_pid
  sleep 10
  hang_at=$(( $(now_ms) - t0 )); kill -USR2 $proxy_pid; sleep 10; kill -HUP $proxy_pid
  sleep 15
  touch "$stop"
  sleep 1
  local drained
  drained=$(wait_outbox_empty "$url" 180)
  cat "$work"/load-* | sort -n >"$work/load"
  psql -At "$url" -c "select id from access_requests" >"$work/stored"
  python3 - "$work/load" "$work/probe" "$work/stored" "$cut_at" "$hang_at" <<'EOF'
import sys
load = [l.split() for l in open(sys.argv[1])]
probe = [l.split() for l in open(sys.argv[2])]
stored = set(open(sys.argv[3]).read().split())
cut, hang = int(sys.argv[4]), int(sys.argv[5])
def phase(t):
    t = int(t)
    if cut <= t < cut + 10000: return "cut"
    if hang <= t < hang + 10000: return "hang"
    return "after" if t >= cut + 10000 else "before"
def describe(rows, name):
    for p in ("before", "cut", "after-cut", "hang", "after"):
        rs = [r for r in rows if (phase(r[0]) == p) or (p == "after-cut" and phase(r[0]) == "after" and int(r[0]) < hang)]
        if p == "after":
            rs = [r for r in rows if int(r[0]) >= hang + 10000]
        if not rs: continue
        codes = {}
        for r in rs: codes[r[1]] = codes.get(r[1], 0) + 1
        bad = sorted(float(r[2]) for r in rs if r[1] != "200")
        print("  %-6s %-9s n=%-5d codes=%s%s" % (name, p, len(rs), ",".join("%s:%d" % kv for kv in sorted(codes.items())),
              " not-200 seconds median=%.3f max=%.3f" % (bad[len(bad) // 2], bad[-1]) if bad else ""))
describe(load, "create")
describe(probe, "readyz")
for start, name in ((cut, "cut"), (hang, "hang")):
    ok = [int(r[0]) + float(r[2]) * 1000 for r in load if r[1] == "200" and int(r[0]) >= start + 10000]
    print("  first creation answered 200 after the %s ended: %.1f s" % (name, (min(ok) - start - 10000) / 1000 if ok else float("nan")))
answered = [r[3] for r in load if r[1] == "200"]
lost = [i for i in answered if i not in stored]
print("  creations answered 200: %d, of which not stored (lost): %d" % (len(answered), len(lost)))
EOF
  # The 200 approved before the cut: on Graph exactly once.
  psql -At "$url" -c "select r.id from access_requests r join submissions s on s.request_id = r.id" >"$work/ids"
  printf "%-28s drained=%ss %s %s %s load=%s\n" "db cut under load" "$drained" "$(portal_outcome "$url")" \
    "$(count_on_graph $simport)" "$(history_doubles "$url")" "$(load)"
  grep -c "PoolTimedOut\|pool timed out" "$work/portal-$port.log" | sed 's/^/  pool timeouts logged: /'
  kill "$portal_pid" "$sim_pid" $proxy_pid 2>/dev/null; wait 2>/dev/null || true
}

run_replicas() {
  local db=portal_bench17_replicas simport=3563 n=${REPLICA_REQUESTS:-300}
  local url=$BENCH_PG/$db
  fresh_db $db
  start_sim $simport --approve-after 1
  echo "$sim_pid" >>"$work/pids"
  curl -sf -X PUT "http://127.0.0.1:$simport/_control/faults/graph_requests" -H 'content-type: application/json' \
    -d '{"drop_after_rate":0.1,"latency_ms":20}'
  # The killed replica's claimed rows wait out their lease before another replica takes them: 30 s
  # here (the default 5 minutes is longer than the run waits).
  local settings=(PORTAL_REQUESTS__STATUS__EVERY=500 PORTAL_REQUESTS__SUBMISSION__UNKNOWN_WAIT=3000
    PORTAL_REQUESTS__SUBMISSION__FIRST_BACKOFF=500 PORTAL_REQUESTS__SUBMISSION__LEASE=30)
  local pids=() p
  for p in 3560 3561 3562; do
    start_portal $p $simport "$url" "${settings[@]}"
    pids+=("$portal_pid"); echo "$portal_pid" >>"$work/pids"
  done
  sign_in 3560 "$work/svc" $STATUS_READER_OID
  create_requests 3561 "$n"
  # Which replica polls, sampled: the advisory lock's holder, by its connection's client port.
  (
    while [ ! -f "$work/stop-sampling" ]; do
      # Holders and one holder's port in one statement: a pass now holds the lock for milliseconds,
      # and two reads could see it held by one and free at the other.
      sample=$(psql -At "$url" -c "select count(*), min(a.client_port) from pg_locks l join pg_stat_activity a
        on a.pid = l.pid where l.locktype = 'advisory' and l.classid::text = '29556'
        and l.objid::text = '1635022195' and l.granted" 2>/dev/null | head -1)
      holders=${sample%%|*} port=${sample#*|}
      if [ -n "$port" ]; then
        owner=$(ss -tnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
        echo "$holders ${owner:-?}" >>"$work/lock-samples"
      fi
      sleep 0.1
    done
  ) &
  local sampler=$!
  approve_all 3562 100 "$url"
  sleep 3
  # Kill the replica that holds the poller's lock now (or the first one, if none holds it this instant).
  local victim
  victim=$(tail -20 "$work/lock-samples" 2>/dev/null | awk '$2 != "?" {v = $2} END {print v}')
  [[ " ${pids[*]} " == *" $victim "* ]] || victim=${pids[0]}
  kill -9 "$victim"
  local killed_at
  killed_at=$(wc -l <"$work/lock-samples" 2>/dev/null || echo 0)
  local drained
  drained=$(wait_outbox_empty "$url" 180)
  # Until the poller has every change Graph has for the portal's requests (bounded).
  local feed held
  for _ in $(seq 1 600); do
    held=$(psql -At "$url" -c "select count(*) from graph_changes")
    token=$(curl -sf -X POST "http://127.0.0.1:$simport/_control/tokens" -H 'content-type: application/json' \
      -d '{"user":"adele@contoso.com"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    feed=$(curl -sf -H "authorization: Bearer $token" \
      "http://127.0.0.1:$simport/graph/beta/identityGovernance/permissionsManagement/permissionsRequestChanges/\$count")
    [ "$held" -ge "$feed" ] && break
    sleep 0.3
  done
  touch "$work/stop-sampling"; wait "$sampler" 2>/dev/null || true
  local owners
  owners=$(awk '$2 != "?" {print $2}' "$work/lock-samples" | sort | uniq -c | awk '{printf "%s%s:%s", sep, $2, $1; sep=","}')
  printf "%-28s drained=%ss %s %s %s feed=%s held=%s max_lock_holders=%s lock_samples_by_pid=%s killed=%s (after sample %s) load=%s\n" \
    "3 replicas, $n approvals" "$drained" "$(portal_outcome "$url")" "$(count_on_graph $simport)" "$(history_doubles "$url")" \
    "$feed" "$held" "$(awk 'BEGIN {m = 0} $1 > m {m = $1} END {print m}' "$work/lock-samples")" "$owners" "$victim" "$killed_at" "$(load)"
  psql -At "$url" -c "select 'graph_changes by outcome: ' || string_agg(outcome || '=' || c, ' ') from
    (select outcome, count(*) c from graph_changes group by 1) x"
  kill "${pids[@]}" "$sim_pid" 2>/dev/null; wait 2>/dev/null || true
}

echo "== resilience ($what): $(nproc) cores, load $(load), $(date -u +%FT%TZ)"
case "$what" in
  kill) run_kill ;;
  db-cut) run_db_cut ;;
  replicas) run_replicas ;;
  all) run_kill; run_db_cut; run_replicas ;;
  *) die "unknown run $what (kill, db-cut, replicas or all)" ;;
esac
