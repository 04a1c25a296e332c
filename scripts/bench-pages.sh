#!/usr/bin/env bash
# Page speed and request creation, with the database's own floor measured in the same run (issue 18):
#   1. GET / for a signed-in person over one kept-alive connection (wrk, one client): p50, p99;
#   2. request creation through POST /api/create_request at 16 and 64 connections (wrk), next to
#      pgbench running the same statement the portal runs (scripts/bench/creation.sql) at the same
#      concurrency: rate, p50, p99, the CPU each side used (portal, Postgres, wrk; Postgres, pgbench)
#      and the ratio;
#   3. the statements the portal sends to Postgres for one creation (log_statement=all on a
#      database of its own, counted from the server log);
#   4. the browser bundle's files raw, gzip and brotli (scripts/bundle-size.sh says what is in it).
#   5. the portal's memory: resident at rest, and its peak (VmHWM) under the creation load (with 2);
#      and what the portal's other statements cost Postgres alone, each run by pgbench like the floor:
#      the session's read, the approver's lookup, an empty round trip (near a pool ping).
# Release builds (made when missing: scripts/build-site.sh --release). Ports 3460/3470 (BENCH_PORTAL_PORT,
# BENCH_SIM_PORT and BENCH_DB say others). BENCH_PIN=1 gives Postgres the last core to itself and runs
# everything else (portal, stand-in, wrk, pgbench's client) on the others, as where the database has
# a machine of its own; the Postgres processes get every core back at the end.
#   scripts/bench-pages.sh [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
seconds=${1:-10}
target=$(cargo_target_dir)
bin=$target/release
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
db=${BENCH_DB:-portal_bench_pages}
portal_port=${BENCH_PORTAL_PORT:-3460} sim_port=${BENCH_SIM_PORT:-3470}
portal=127.0.0.1:$portal_port sim=127.0.0.1:$sim_port
tenant=9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59
alex=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01 megan=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a02
pglog=${PG_LOG:-$(ls /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -1)}
work=$(mktemp -d)
all_cores=0-$(($(nproc) - 1))
pin_postgres() { local p; for p in $(pgrep -x postgres); do taskset -a -p -c "$1" "$p" >/dev/null; done; }
trap 'set +e; kill $(jobs -p) 2>/dev/null; psql -q "$pg/postgres" -c "alter database $db reset log_statement" 2>/dev/null
  [ "${BENCH_PIN:-}" = 1 ] && pin_postgres "$all_cores"; rm -rf "$work"' EXIT
apart=() # the command prefix for all but Postgres
if [ "${BENCH_PIN:-}" = 1 ]; then
  [ "$(nproc)" -ge 2 ] || { echo "BENCH_PIN=1 needs 2 cores or more" >&2; exit 1; }
  last=$(($(nproc) - 1))
  pin_postgres "$last" # its new backends inherit the postmaster's cores
  apart=(taskset -c "0-$((last - 1))")
fi

ensure_postgres
command -v wrk >/dev/null || { say "installing wrk (Debian)"; apt-get install -y -qq wrk >/dev/null; }
command -v pgbench >/dev/null || export PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin | tail -1)"
# Always (cargo does nothing when the release build is current, and target/site may hold a debug
# bundle from the tests), unless BENCH_SKIP_BUILD=1 says the release build in place is the one to measure.
[ "${BENCH_SKIP_BUILD:-}" = 1 ] || scripts/build-site.sh --release

dropdb -h 127.0.0.1 -U postgres --if-exists $db
createdb -h 127.0.0.1 -U postgres $db
"${apart[@]}" "$bin/entra-sim" --port $sim_port >"$work/sim.log" 2>&1 &
until curl -sf "http://$sim/healthz" >/dev/null; do sleep 0.5; done
start_portal() {
  PORTAL_LISTEN_ADDR=$portal PORTAL_PUBLIC_URL=http://$portal PORTAL_METRICS_ADDR= PORTAL_RUN_JOBS=false \
    PORTAL_AUTH__AUTHORITY=http://$sim/$tenant/v2.0 PORTAL_AUTH__GRAPH_BASE_URL=http://$sim/graph/beta \
    PORTAL_REQUESTS__CALLS_PER_MINUTE=100000000 LEPTOS_SITE_ROOT=target/site \
    PORTAL_DATABASE__URL=$pg/$db RUST_LOG=warn "${apart[@]}" "$bin/server" >>"$work/portal.log" 2>&1 &
  portal_pid=$!
  until curl -sf "http://$portal/readyz" >/dev/null; do sleep 0.3; done
}
start_portal

jar=$work/alex
sign_in() {
  rm -f "$jar"
  local authorize callback
  authorize=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "http://$portal/auth/login")
  callback=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST "${authorize%%\?*}" \
    --data "${authorize#*\?}&login_as=$alex")
  curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
}
sign_in
cookie=$(awk '!/^#/ || /^#HttpOnly_/ {sub(/^#HttpOnly_/, ""); if (NF >= 7) printf "%s=%s; ", $6, $7}' "$jar")
export BENCH_COOKIE=$cookie BENCH_ORIGIN=http://$portal
export BENCH_BODY='{"form":{"cloud":"aws","system":"956987887735","identity":"rsn:alex@contoso.com",
"identity_type":"user","what":"aws_policies","items":["arn:aws:iam::aws:policy/ReadOnlyAccess"],
"assign_to_role":"arn:aws:iam::956987887735:role/saml-user","duration":"PT1H",
"justification":"Benchmark: investigate the failed deployment of the orders service","ticket":"INC1234567",
"approver":"megan@contoso.com"}}'
create_once() {
  curl -s -b "$jar" -H "origin: http://$portal" -H 'content-type: application/json' \
    "http://$portal/api/create_request" --data "$BENCH_BODY" >"$work/created" &&
    grep -q '"created"' "$work/created"
}
create_once || { echo "the first creation failed: $(tail -5 "$work/portal.log")" >&2; exit 1; }
# The inventory answers are cached per person now, as they are for anyone who has just used the form.
requests() { psql -At "$pg/$db" -c "select count(*) from access_requests"; }

row() { printf "%-52s %s\n" "$1" "$2"; }
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_all_cpu() { # CPU seconds of every Postgres process so far; those that ended count too (the postmaster reaps them)
  local pm p
  pm=$(pgrep -o -x postgres) || { echo 0; return; }
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat"
    for p in $(pgrep -P "$pm"); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done
  } | awk -v hz="$(getconf CLK_TCK)" '{t += $1} END {printf "%.2f", t / hz}'
}
wrk_line() { grep '^WRK' | sed 's/^WRK //'; }

rest_rss=$(awk '/VmRSS/ {print $2}' "/proc/$portal_pid/status")
echo "== machine: $(nproc) cores${apart:+ (Postgres alone on core $last)}, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"

step() { [[ ${BENCH_STEPS:-12345} == *$1* ]]; } # BENCH_STEPS=3 runs only the third

# 1. GET / on one kept-alive connection.
step 1 && BENCH_BODY= BENCH_PATH=/ "${apart[@]}" wrk -t1 -c1 -d"${seconds}s" -s scripts/bench/wrk.lua "http://$portal" >"$work/get" 2>&1
step 1 && row "GET / (signed in), 1 kept-alive connection" "$(wrk_line <"$work/get")"

# 2. Creation through HTTP and the pgbench floor, at each concurrency; the portal's peak memory
# under it (VmHWM, reset first: clear_refs 5).
step 2 && echo 5 >"/proc/$portal_pid/clear_refs"
vars=$(psql -At "$pg/$db" -F $'\t' -c "select r.permissions::text, r.schedule::text, r.justification,
  r.graph_body::text, h.details::text, r.item_names::text
  from access_requests r join request_history h on h.request_id = r.id limit 1")
IFS=$'\t' read -r permissions schedule justification graph_body details item_names <<<"$vars"
for c in 16 64; do
  step 2 || continue
  before=$(requests)
  # What bounds it: the CPU seconds of the portal, of Postgres (every process of it, its background
  # writers too) and of wrk, over the run; the same for the floor below, with pgbench's client.
  portal_cpu0=$(cpu_of "$portal_pid") pg_cpu0=$(pg_all_cpu)
  TIMEFORMAT='%U %S'
  { time BENCH_PATH=/api/create_request "${apart[@]}" wrk -t2 -c$c -d"${seconds}s" -s scripts/bench/wrk.lua "http://$portal" >"$work/create" 2>&1; } 2>"$work/wrk-cpu"
  cpu_split=$(awk -v p0="$portal_cpu0" -v p1="$(cpu_of "$portal_pid")" -v g0="$pg_cpu0" -v g1="$(pg_all_cpu)" -v s="$seconds" \
    '{printf "cpu_per_s(portal=%.2f postgres=%.2f wrk=%.2f)", (p1 - p0) / s, (g1 - g0) / s, ($1 + $2) / s}' "$work/wrk-cpu")
  line=$(wrk_line <"$work/create")
  made=$(( $(requests) - before ))
  sent=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  row "creation over HTTP, $c connections" "$line stored=$made $cpu_split"
  [ "$made" -ge "$sent" ] || { echo "wrk counted $sent creations but $made were stored: $(grep -m3 'not created' "$work/create")" >&2; exit 1; }
  # Prepared, as the portal's statements are (sqlx prepares each once per connection and then only
  # binds): `-M extended` would parse and plan the statement on every call, a floor that is not the
  # portal's (1.7 times slower here: BENCHMARKS.md). Each transaction's time goes to a log (-l) for
  # the floor's percentiles.
  rm -f "$work"/floor.*
  pg_cpu0=$(pg_all_cpu)
  { time "${apart[@]}" pgbench -n -M prepared -c $c -j 2 -T "$seconds" -l --log-prefix="$work/floor" -f scripts/bench/creation.sql \
    -D requester_oid=$alex -D approver_oid=$megan -D "permissions=$permissions" -D "schedule=$schedule" \
    -D "justification=$justification" -D "graph_body=$graph_body" -D "details=$details" \
    -D "item_names=$item_names" \
    -h 127.0.0.1 -U postgres $db >"$work/pgbench" 2>&1; } 2>"$work/pgbench-cpu" || { cat "$work/pgbench" >&2; exit 1; }
  sleep 0.3 # pgbench's backends end as it disconnects
  floor_cpu=$(awk -v g0="$pg_cpu0" -v g1="$(pg_all_cpu)" -v s="$seconds" \
    '{printf "cpu_per_s(postgres=%.2f pgbench=%.2f)", (g1 - g0) / s, ($1 + $2) / s}' "$work/pgbench-cpu")
  tps=$(awk '/^tps/ {print $3; exit}' "$work/pgbench")
  lat=$(awk '/^latency average/ {print $4; exit}' "$work/pgbench")
  # The log's third field is a transaction's time in microseconds.
  floor_pct=$(cat "$work"/floor.* | awk '{print $3}' | sort -n | awk '{t[NR] = $1}
    END {printf "p50_ms=%.2f p99_ms=%.2f", t[int(NR * 0.50) + 1] / 1000, t[int(NR * 0.99) + 1] / 1000}')
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  row "  floor: pgbench, same statement, $c clients" "tps=$tps $floor_pct latency_avg_ms=$lat $floor_cpu"
  row "  portal / floor" "$(awk -v a="$rps" -v b="$tps" 'BEGIN {printf "%.0f%%", 100 * a / b}')"
done
step 2 && row "portal memory, at rest / peak under creation" "rss_rest_kib=$rest_rss peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$portal_pid/status")"

# 5. What a creation asks of Postgres besides the floor's statement, each alone at 16 clients: its
# CPU per statement, to set beside the floor's (step 2) and the portal's whole (Postgres' CPU per creation).
if step 5; then
  sid=$(psql -At "$pg/$db" -c 'select id from "tower_sessions"."session" order by expiry_date desc limit 1')
  for part in session approver round-trip; do
    pg_cpu0=$(pg_all_cpu)
    { time "${apart[@]}" pgbench -n -M prepared -c 16 -j 2 -T "$seconds" -f "scripts/bench/$part.sql" \
      -D "sid=$sid" -D requester_oid=$alex -D approver_upn=megan@contoso.com \
      -h 127.0.0.1 -U postgres $db >"$work/part" 2>&1; } 2>"$work/part-cpu" || { cat "$work/part" >&2; exit 1; }
    sleep 0.3
    tps=$(awk '/^tps/ {print $3; exit}' "$work/part")
    row "  Postgres alone: $part, 16 clients" "$(awk -v g0="$pg_cpu0" -v g1="$(pg_all_cpu)" -v s="$seconds" -v tps="$tps" \
      '{printf "tps=%.0f postgres_ms_per_statement=%.3f pgbench_ms=%.3f", tps, (g1 - g0) / s / tps * 1000, ($1 + $2) / s / tps * 1000}' "$work/part-cpu")"
  done
fi

# 3. Statements per creation: a fresh portal whose connections log every statement.
if ! step 3; then
  :
elif [ -r "$pglog" ]; then
  kill "$portal_pid"; wait "$portal_pid" 2>/dev/null || true
  psql -q "$pg/postgres" -c "alter database $db set log_statement = 'all'"
  start_portal
  sign_in # a new process: the tokens it keeps are sealed with a key of its own
  create_once || { echo "a creation failed: $(cat "$work/created")" >&2; exit 1; }
  from=$(wc -l <"$pglog")
  create_once || { echo "a creation failed: $(cat "$work/created")" >&2; exit 1; }
  sleep 0.5
  # Without the database watch's `select 1` (a connection of its own, every 500 ms).
  tail -n +"$((from + 1))" "$pglog" | grep -vE "LOG:  (statement|execute [^:]*): select 1$" >"$work/log"
  row "statements per creation (log_statement=all)" "$(grep -cE "@$db LOG:  (statement|execute)" "$work/log")"
  # Each statement's first words (a statement's text may start on the log's next line).
  awk -v tag="@$db LOG:  " 'index($0, tag) && /LOG:  (statement|execute)/ {
      sub(/.*LOG:  (statement|execute [^:]*): /, ""); if ($0 ~ /^[[:space:]]*$/) { next_line = 1; next }
      print "    " substr($0, 1, 110); next }
    next_line { sub(/^[[:space:]]+/, ""); print "    " substr($0, 1, 110); next_line = 0 }' "$work/log"
  psql -q "$pg/postgres" -c "alter database $db reset log_statement"
else
  row "statements per creation" "skipped: the Postgres log ($pglog) is not readable here"
fi

# 4. The bundle as served: raw, and the compressed copies the build made.
if step 4; then
  for f in target/site/pkg/*.{wasm,js,css}; do
    [ -f "$f" ] || continue
    row "bundle $(basename "$f")" "raw=$(stat -c %s "$f") gzip=$(stat -c %s "$f.gz" 2>/dev/null || echo -) br=$(stat -c %s "$f.br" 2>/dev/null || echo -)"
  done
  echo "    (what takes the room: scripts/bundle-size.sh, which keeps the names twiggy reads)"
fi
