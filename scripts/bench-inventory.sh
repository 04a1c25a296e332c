#!/usr/bin/env bash
# Times the portal's server-side inventory search, and the request form page rendered whole on the
# server, against the stand-in's large seed (50,000 actions and 10,000 identities per generated system):
# signs in as Alex with curl, then asks for pages of actions and
# identities with distinct search words (so the per-person cache never answers) and prints the median and
# 95th percentile. Needs the binaries (scripts/build-site.sh) and PostgreSQL.
#   scripts/bench-inventory.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-40}
bin=${PORTAL_BIN_DIR:-target/debug}
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
portal=127.0.0.1:3400 sim=127.0.0.1:3410
tenant=9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59
work=$(mktemp -d)
trap 'set +e; kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

dropdb -h 127.0.0.1 -U postgres --if-exists portal_bench
createdb -h 127.0.0.1 -U postgres portal_bench
"$bin/entra-sim" --port 3410 --seed large >"$work/sim.log" 2>&1 &
until curl -sf "http://$sim/healthz" >/dev/null; do sleep 0.5; done
PORTAL_LISTEN_ADDR=$portal PORTAL_PUBLIC_URL=http://$portal \
  PORTAL_AUTH__AUTHORITY=http://$sim/$tenant/v2.0 PORTAL_AUTH__GRAPH_BASE_URL=http://$sim/graph/beta \
  PORTAL_DATABASE__URL=$pg/portal_bench RUST_LOG=warn "$bin/server" >"$work/portal.log" 2>&1 &
until curl -sf "http://$portal/readyz" >/dev/null; do sleep 0.5; done

jar="$work/cookies"
authorize=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "http://$portal/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST "${authorize%%\?*}" \
  --data "${authorize#*\?}&login_as=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"

measure() { # endpoint, fields…
  local endpoint=$1; shift
  local out
  out=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' -H "origin: http://$portal" \
    "http://$portal/api/$endpoint" "$@")
  [ "${out%% *}" = 200 ] || { echo "$endpoint answered ${out%% *}" >&2; exit 1; }
  echo "${out#* }"
}
page() { # query string of /requests/new
  local out
  out=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' "http://$portal/requests/new?$1")
  [ "${out%% *}" = 200 ] || { echo "the form page answered ${out%% *}" >&2; exit 1; }
  echo "${out#* }"
}
report() { sort -n | awk -v what="$1" '{t[NR]=$1} END {printf "%-40s n=%d median=%.0f ms p95=%.0f ms max=%.0f ms\n", what, NR, t[int((NR+1)/2)]*1000, t[int(NR*0.95+0.5)]*1000, t[NR]*1000}'; }

for i in $(seq 1 "$rounds"); do
  measure inventory_items --data-urlencode what=aws_statements --data-urlencode system=999900000001 \
    --data-urlencode "q=Widget$i"
done | report "actions, 50k inventory, first page"
for i in $(seq 1 "$rounds"); do
  measure inventory_items --data-urlencode what=aws_statements --data-urlencode system=999900000001 \
    --data-urlencode "q=Widget$i"
done | report "actions, same searches again (cached)"
for i in $(seq 1 "$rounds"); do
  measure inventory_identities --data-urlencode cloud=aws --data-urlencode system=999900000001 \
    --data-urlencode "q=user$i"
done | report "identities, 10k inventory, first page"
# The whole form page as the server renders it before any script runs (every step's inventory reads,
# then the HTML): what a person on a slow connection, or without JavaScript, waits for.
me='identity=user%3Arsn%3Aalex%40contoso.com'
for i in $(seq 1 "$rounds"); do
  page "cloud=aws&system=999900000001&$me&what=aws_statements&q=Gadget$i"
done | report "form page, step 4 with an action search"
