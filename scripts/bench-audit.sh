#!/usr/bin/env bash
# The auditors' pages at volume: seeds 200,000 requests and 1,000,000 history rows
# (scripts/audit-seed.sql) behind a portal on ports 3440/3450, signs in as Adele (auditor) with curl,
# and prints the median and 99th percentile of the audit list's first page and of a deep keyset page
# (with and without filters; each answer includes its capped count), then the server's peak memory
# while it streams the CSV export of about 10,000 and about 100,000 requests (and 500,000 history
# rows). Needs the binaries (cargo build -p server -p entra-sim) and PostgreSQL. Ports 3440/3450
# (BENCH_PORTAL_PORT, BENCH_SIM_PORT and BENCH_DB say others).
#   scripts/bench-audit.sh [rounds] [requests] [history rows per request]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-200}
requests=${2:-200000}
per=${3:-5}
bin=${PORTAL_BIN_DIR:-${CARGO_TARGET_DIR:-target}/debug}
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
db=${BENCH_DB:-portal_bench_audit}
portal_port=${BENCH_PORTAL_PORT:-3440} sim_port=${BENCH_SIM_PORT:-3450}
portal=127.0.0.1:$portal_port sim=127.0.0.1:$sim_port
tenant=9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59
alex=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01 adele=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a05
work=$(mktemp -d)
trap 'set +e; kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

dropdb -h 127.0.0.1 -U postgres --if-exists $db
createdb -h 127.0.0.1 -U postgres $db
"$bin/entra-sim" --port $sim_port >"$work/sim.log" 2>&1 &
until curl -sf "http://$sim/healthz" >/dev/null; do sleep 0.5; done
PORTAL_LISTEN_ADDR=$portal PORTAL_PUBLIC_URL=http://$portal PORTAL_METRICS_ADDR= PORTAL_RUN_JOBS=false \
  PORTAL_AUTH__AUTHORITY=http://$sim/$tenant/v2.0 PORTAL_AUTH__GRAPH_BASE_URL=http://$sim/graph/beta \
  PORTAL_REQUESTS__CALLS_PER_MINUTE=1000000 \
  PORTAL_DATABASE__URL=$pg/$db RUST_LOG=warn "$bin/server" >"$work/portal.log" 2>&1 &
server_pid=$!
until curl -sf "http://$portal/readyz" >/dev/null; do sleep 0.5; done

sign_in() { # cookie jar, object id
  local authorize callback
  authorize=$(curl -s -c "$1" -b "$1" -o /dev/null -w '%{redirect_url}' "http://$portal/auth/login")
  callback=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST "${authorize%%\?*}" \
    --data "${authorize#*\?}&login_as=$2")
  curl -s -c "$1" -b "$1" -o /dev/null "$callback"
}
sign_in "$work/alex" $alex
sign_in "$work/adele" $adele

# One request made by the portal: the seed copies its permissions and schedule.
curl -sf -b "$work/alex" -H "origin: http://$portal" -H 'content-type: application/json' \
  "http://$portal/api/create_request" --data '{"form":{"cloud":"aws","system":"956987887735",
  "identity":"rsn:alex@contoso.com","identity_type":"user","what":"aws_policies",
  "items":["arn:aws:iam::aws:policy/ReadOnlyAccess"],"assign_to_role":"arn:aws:iam::956987887735:role/saml-user",
  "duration":"PT1H","justification":"The template the benchmark copies","ticket":"INC1234567",
  "approver":"megan@contoso.com"}}' >/dev/null
template=$(psql -At "$pg/$db" -c "select id from access_requests limit 1")
echo "seeding $requests requests with $per history rows each…" >&2
start=$(date +%s)
psql -q -At "$pg/$db" -v n="$requests" -v per="$per" -v template="$template" -f scripts/audit-seed.sql
echo "seeded in $(( $(date +%s) - start )) s: $(psql -At "$pg/$db" -c 'select count(*) from access_requests') requests, $(psql -At "$pg/$db" -c 'select count(*) from request_history') history rows" >&2

measure() { # address query of the audit list
  local out
  out=$(curl -s -b "$work/adele" -o "$work/answer" -w '%{http_code} %{time_total}' -H "origin: http://$portal" \
    "http://$portal/api/audit_requests" --data-urlencode "query=$1")
  [ "${out%% *}" = 200 ] || { echo "audit_requests answered ${out%% *}: $(cat "$work/answer")" >&2; exit 1; }
  echo "${out#* }"
}
report() { sort -n | awk -v what="$1" '{t[NR]=$1} END {printf "%-58s n=%d median=%5.1f ms p99=%5.1f ms max=%5.1f ms\n", what, NR, t[int((NR+1)/2)]*1000, t[int(NR*0.99+0.5)]*1000, t[NR]*1000}'; }
cursor_at() { # offset in the newest-first order, filter as SQL
  psql -At "$pg/$db" -c "select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '_' || id
    from access_requests r where ${2:-true} order by created_at desc, id desc offset $1 limit 1"
}
run() { # label, query
  for _ in $(seq 1 "$rounds"); do measure "$2"; done | report "$1"
}

deep=$(cursor_at $(( requests * 95 / 100 )))
run "first page, no filter" ""
run "deep page (95% back), no filter" "before=$deep"
run "first page, cloud=gcp" "cloud=gcp"
run "deep page, cloud=gcp" "cloud=gcp&before=$(cursor_at $(( requests * 95 / 300 )) "cloud = 'gcp'")"
run "first page, requester" "requester=person7%40contoso.com"
run "first page, status=failed" "status=failed"
run "deep page, status=failed" "status=failed&before=$(cursor_at $(( requests / 100 - 10 )) "status = 'failed'")"
run "first page, words (payments database)" "q=payments+database"
run "first page, words (emergency)" "q=emergency"
run "first page, ticket" "ticket=INC0001234"
run "first page, system + date range" "system=system-7&from=2026-02-01&to=2026-03-01"

# Access now (2% of the requests hold access): its first page and a page deep in its order, each
# with the count of every grant held.
measure_active() { # address query of Access now
  local out
  out=$(curl -s -b "$work/adele" -o "$work/answer" -w '%{http_code} %{time_total}' -H "origin: http://$portal" \
    "http://$portal/api/audit_active" --data-urlencode "query=$1")
  [ "${out%% *}" = 200 ] || { echo "audit_active answered ${out%% *}: $(cat "$work/answer")" >&2; exit 1; }
  echo "${out#* }"
}
held_at() { # offset in Access now's order
  psql -At "$pg/$db" -c "select id from access_requests r
    where graph_occurrence_status in ('granted', 'revoking', 'revoking_failed')
    order by cloud, lower(authorization_system_name), authorization_system_id, created_at desc, id desc
    offset $1 limit 1"
}
held=$(psql -At "$pg/$db" -c "select count(*) from access_requests
  where graph_occurrence_status in ('granted', 'revoking', 'revoking_failed')")
for _ in $(seq 1 "$rounds"); do measure_active ""; done | report "Access now, first page ($held held)"
after=$(held_at $(( held * 9 / 10 )))
for _ in $(seq 1 "$rounds"); do measure_active "after=$after"; done | report "Access now, page 90% in"
for _ in $(seq 1 "$rounds"); do measure_active "cloud=gcp"; done | report "Access now, first page, cloud=gcp"

# The pages drawn on the server: the charts over 30 days and over 92 days of the seed, and the
# printed report of a filtered set (its newest 1,000).
page_time() { # path and query
  local out
  out=$(curl -s -b "$work/adele" -o "$work/answer" -w '%{http_code} %{time_total}' "http://$portal$1")
  [ "${out%% *}" = 200 ] || { echo "$1 answered ${out%% *}" >&2; exit 1; }
  echo "${out#* }"
}
slow_rounds=$(( rounds < 50 ? rounds : 50 ))
for _ in $(seq 1 "$slow_rounds"); do page_time "/audit/charts?from=2026-03-01&to=2026-03-30"; done | report "charts, 30 days (~43,000 requests)"
for _ in $(seq 1 "$slow_rounds"); do page_time "/audit/charts?from=2026-01-01&to=2026-04-02"; done | report "charts, 92 days (~130,000 requests)"
for _ in $(seq 1 "$slow_rounds"); do page_time "/audit/report?cloud=gcp"; done | report "printed report, cloud=gcp (1,000 rows)"

# Peak memory (VmHWM) of the server while it streams an export, reset before each (clear_refs 5).
peak() { # label, query
  echo 5 >"/proc/$server_pid/clear_refs"
  local base out
  base=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  out=$(curl -s -b "$work/adele" -o "$work/export.csv" -w '%{http_code} %{time_total}' "http://$portal/audit/export.csv?$2")
  [ "${out%% *}" = 200 ] || { echo "export answered ${out%% *}" >&2; exit 1; }
  printf "%-58s lines=%7d bytes=%10d time=%5.1f s rss before=%6d KiB peak=%6d KiB\n" "$1" \
    "$(( $(wc -l <"$work/export.csv") - 1 ))" "$(stat -c %s "$work/export.csv")" "${out#* }" \
    "$base" "$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")"
}
peak "export, ~10,000 requests (7 days)" "from=2026-01-01&to=2026-01-07"
peak "export, ~100,000 requests (70 days)" "from=2026-01-01&to=2026-03-11"
peak "export, ~10,000 requests' history rows" "from=2026-01-01&to=2026-01-07&rows=history"
peak "export, ~100,000 requests' history rows" "from=2026-01-01&to=2026-03-11&rows=history"
peak "export, every grant held now" "rows=active"
