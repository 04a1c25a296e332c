#!/usr/bin/env bash
# Poller ingest (issue 17, part 3): the stand-in holds 100,000 requests, each with its `submitted`
# change (made at once by POST /_control/requests/bulk from the body of a request the portal made),
# and the portal holds the same 100,000 as submitted (copied in SQL from that request, each with its
# Graph id). A portal whose jobs run then starts, and the time until its status poller has applied
# every change is measured. The floors, in the same run: reading the whole feed as Graph pages it
# (Python, one page after another: what the stand-in costs), and a raw COPY of the same change rows
# into a scratch table shaped like graph_changes. Ports 3510-3511.
#   scripts/bench/ingest.sh [runs] [changes]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
runs=${1:-3}
n=${2:-100000}
work=$(mktemp -d)
trap 'set +e; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
. scripts/bench/lib.sh
db=portal_bench17_ingest
url=$BENCH_PG/$db
port=3510 simport=3511
feed="http://127.0.0.1:$simport/graph/beta/identityGovernance/permissionsManagement/permissionsRequestChanges"

one_run() { # run number
  fresh_db $db
  start_sim $simport --manual-approval
  start_portal $port $simport "$url" PORTAL_RUN_JOBS=false
  sign_in $port "$work/alex" $ALEX_OID
  sign_in $port "$work/svc" $STATUS_READER_OID # the poller reads the feed with its token
  api $port "$work/alex" create_request "$BENCH_REQUEST" | grep -q '"id"' || die "the template request was not made"
  kill "$portal_pid"; wait "$portal_pid" 2>/dev/null || true
  local template
  template=$(psql -At "$url" -c "select id from access_requests limit 1")
  # The template's Graph body, on the stand-in n times, as Megan (who would have approved them).
  psql -At "$url" -c "select json_build_object('count', $n, 'user', 'megan@contoso.com',
      'request', graph_body) from access_requests where id = '$template'" >"$work/bulk.json"
  local t
  t=$(now_ms)
  curl -sf -X POST "http://127.0.0.1:$simport/_control/requests/bulk" -H 'content-type: application/json' \
    --data @"$work/bulk.json" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["ids"]))' >"$work/graph-ids"
  [ "$(wc -l <"$work/graph-ids")" -eq "$n" ] || die "the stand-in made $(wc -l <"$work/graph-ids") requests, not $n"
  local seeded_sim=$(( $(now_ms) - t ))
  t=$(now_ms)
  psql -q "$url" -c "create table bench_graph_ids (graph_id text not null)" \
    -c "\copy bench_graph_ids from '$work/graph-ids'"
  psql -q -At "$url" -v template="$template" -f scripts/bench/ingest-seed.sql
  local seeded_portal=$(( $(now_ms) - t ))

  # Floor 1: the whole feed read as Graph pages it, written out as the rows the poller would store.
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$simport/_control/tokens" -H 'content-type: application/json' \
    -d '{"user":"svc-access-portal@contoso.com"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  t=$(now_ms)
  python3 - "$feed?\$orderby=modificationDateTime%20asc" "$token" >"$work/changes.csv" <<'EOF'
import csv, json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
out = csv.writer(sys.stdout)
while url:
    page = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + token})))
    for c in page["value"]:
        out.writerow([c["id"], c["permissionsRequestId"], c["modificationDateTime"], c["statusDetail"],
                      c.get("activeOccurrenceStatus") or "", c.get("ticketId") or ""])
    url = page.get("@odata.nextLink")
EOF
  local read_ms=$(( $(now_ms) - t ))
  [ "$(wc -l <"$work/changes.csv")" -eq "$n" ] || die "the feed held $(wc -l <"$work/changes.csv") changes, not $n"
  # Floor 2: COPY of the same rows into a scratch table shaped like graph_changes.
  psql -q "$url" -c "create unlogged table if not exists scratch_changes (like graph_changes including all);
    alter table scratch_changes alter column outcome set default 'applied',
      alter column received_at set default now(); truncate scratch_changes"
  t=$(now_ms)
  psql -q "$url" -c "\copy scratch_changes (id, permissions_request_id, modified_at, status_detail, occurrence_status, ticket_id) from '$work/changes.csv' with (format csv, null '')"
  local copy_ms=$(( $(now_ms) - t ))
  # The same COPY into a logged table, as graph_changes is.
  psql -q "$url" -c "create table if not exists scratch_logged (like graph_changes including all);
    alter table scratch_logged alter column outcome set default 'applied',
      alter column received_at set default now(); truncate scratch_logged"
  t=$(now_ms)
  psql -q "$url" -c "\copy scratch_logged (id, permissions_request_id, modified_at, status_detail, occurrence_status, ticket_id) from '$work/changes.csv' with (format csv, null '')"
  local copy_logged_ms=$(( $(now_ms) - t ))

  # The poller, from the portal's start until every change is applied.
  local before_load applied=0 t0 t1
  before_load=$(load)
  t0=$(now_ms)
  start_portal $port $simport "$url"
  for _ in $(seq 1 3000); do # at most 10 minutes
    applied=$(psql -At "$url" -c "select changes_applied from poller_state where id = 1")
    [ "$applied" -ge "$n" ] && break
    sleep 0.2
  done
  t1=$(now_ms)
  local cpu_portal cpu_sim cpu_pg hwm checks
  cpu_portal=$(cpu_seconds "$portal_pid") cpu_sim=$(cpu_seconds "$sim_pid") cpu_pg=$(pg_cpu_seconds $db)
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$portal_pid/status")
  checks=$(psql -At "$url" -c "select 'changes=' || (select count(*) from graph_changes)
      || ' history=' || (select count(*) from request_history where event = 'graph_update')
      || ' doubled=' || (select count(*) - count(distinct (details->>'change_id')) from request_history where event = 'graph_update')")
  printf "%-30s seconds=%s applied=%s %s per_s=%s cpu_s(portal=%s sim=%s pg=%s) portal_peak_rss=%s KiB load=%s\n" \
    "poller ingest, run $1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1000}')" "$applied" "$checks" \
    "$(awk -v a="$t0" -v b="$t1" -v n="$applied" 'BEGIN {printf "%.0f", n * 1000 / (b - a)}')" \
    "$cpu_portal" "$cpu_sim" "$cpu_pg" "$hwm" "$before_load"
  printf "%-30s seconds=%s\n" "  floor: read the feed, run $1" "$(awk -v a="$read_ms" 'BEGIN {printf "%.1f", a / 1000}')"
  printf "%-30s seconds=%s (logged table: %s)\n" "  floor: COPY, run $1" "$(awk -v a="$copy_ms" 'BEGIN {printf "%.2f", a / 1000}')" \
    "$(awk -v a="$copy_logged_ms" 'BEGIN {printf "%.2f", a / 1000}')"
  printf "%-30s stand-in %s ms, portal database %s ms\n" "  seeding, run $1" "$seeded_sim" "$seeded_portal"
  kill "$portal_pid" "$sim_pid"; wait "$portal_pid" "$sim_pid" 2>/dev/null || true
}

echo "== poller ingest: $n changes, $(nproc) cores, $(date -u +%FT%TZ)"
for r in $(seq 1 "$runs"); do
  one_run "$r" >>"$work/rows"; tail -4 "$work/rows"
done
row() { printf "%-30s %s\n" "$1" "$(grep "$2" "$work/rows" | sed -E 's/.*seconds=([0-9.]+).*/\1/' | summary)"; }
row "poller ingest: seconds" "poller ingest, run"
row "  floor, read the feed: seconds" "floor: read the feed"
row "  floor, COPY: seconds" "floor: COPY"
