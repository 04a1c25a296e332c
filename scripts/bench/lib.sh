# Shared by scripts/bench.sh's own parts (scripts/bench/*.sh) and scripts/resilience.sh: start the
# stand-in and the portal (release builds) on given ports with a database of their own, sign people
# in with curl, create and approve requests through the endpoints the browser uses, and count on the
# stand-in what Graph received. Source after scripts/lib.sh, with `work` set to a scratch directory.
BENCH_BIN=${BENCH_BIN:-$(cargo_target_dir)/release}
BENCH_PG=${PG_URL:-postgres://postgres@127.0.0.1:5432}
BENCH_TENANT=9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59
ALEX_OID=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01
MEGAN_OID=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a03
STATUS_READER_OID=4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a08
# What Alex asks for: low risk, so the inbox's batch approval takes it.
BENCH_REQUEST='{"form":{"cloud":"aws","system":"956987887735","identity":"rsn:alex@contoso.com",
"identity_type":"user","what":"aws_policies","items":["arn:aws:iam::aws:policy/ReadOnlyAccess"],
"assign_to_role":"arn:aws:iam::956987887735:role/saml-user","duration":"PT1H",
"justification":"Benchmark: investigate the failed deployment of the orders service","ticket":"INC1234567",
"approver":"megan@contoso.com"}}'

ensure_postgres
command -v pgbench >/dev/null || export PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin | tail -1)"

fresh_db() { # name
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$1"
  createdb -h 127.0.0.1 -U postgres "$1"
}

start_sim() { # port, extra options…; sets sim_pid
  local port=$1; shift
  "$BENCH_BIN/entra-sim" --port "$port" --control "$@" >>"$work/sim-$port.log" 2>&1 &
  sim_pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
}

# The portal's settings a run shares, as a file (token keys are a list of tables, which the
# environment cannot say): a fixed key, so tokens stored by one process are read by the next.
portal_config() {
  [ -f "$work/portal.toml" ] && return
  cat >"$work/portal.toml" <<EOF
[auth]
token_keys = [{ id = "bench", key = "$(head -c 32 /dev/urandom | base64)" }]
EOF
}

# Starts a portal: port, sim port, database URL, then NAME=VALUE settings for `env`; sets
# portal_pid and waits until it is ready. RUST_LOG=warn unless a setting says otherwise.
start_portal() {
  local port=$1 sim=$2 db=$3; shift 3
  portal_config
  env PORTAL_CONFIG="$work/portal.toml" PORTAL_LISTEN_ADDR=127.0.0.1:$port \
    PORTAL_PUBLIC_URL=http://127.0.0.1:$port PORTAL_METRICS_ADDR= \
    PORTAL_AUTH__AUTHORITY=http://127.0.0.1:$sim/$BENCH_TENANT/v2.0 \
    PORTAL_AUTH__GRAPH_BASE_URL=http://127.0.0.1:$sim/graph/beta \
    PORTAL_REQUESTS__PIM__GRAPH_BASE_URL=http://127.0.0.1:$sim/graph/v1.0 \
    PORTAL_REQUESTS__CALLS_PER_MINUTE=100000000 PORTAL_AUTH__RATE_LIMIT_PER_MINUTE=100000 \
    PORTAL_AUTH__RATE_LIMIT_PER_ADDRESS_PER_MINUTE=100000 LEPTOS_SITE_ROOT=target/site \
    PORTAL_DATABASE__URL="$db" RUST_LOG=warn "$@" \
    "$BENCH_BIN/server" >>"$work/portal-$port.log" 2>&1 &
  portal_pid=$!
  wait_ready "$port" "$portal_pid"
}

wait_ready() { # port, pid
  local i
  for i in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return
    kill -0 "$2" 2>/dev/null || { tail -20 "$work/portal-$1.log" >&2; die "the portal on $1 exited"; }
    sleep 0.1
  done
  die "the portal on $1 was not ready in 30 s"
}

sign_in() { # portal port, cookie jar, object id of the person
  rm -f "$2"
  local authorize callback
  authorize=$(curl -s -c "$2" -b "$2" -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$1/auth/login")
  callback=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST "${authorize%%\?*}" \
    --data "${authorize#*\?}&login_as=$3")
  curl -s -c "$2" -b "$2" -o /dev/null "$callback"
}

api() { # portal port, jar, endpoint, JSON body
  curl -s -b "$2" -H "origin: http://127.0.0.1:$1" -H 'content-type: application/json' \
    "http://127.0.0.1:$1/api/$3" --data "$4"
}

# Alex asks `n` times (8 at a time), through the endpoint the browser uses. The request ids, one a
# line, go to $work/ids.
create_requests() { # portal port, n
  local port=$1 n=$2
  sign_in "$port" "$work/alex" $ALEX_OID
  export -f api
  seq 1 "$n" | xargs -P 8 -I{} bash -c 'api "$0" "$1" create_request "$2"' "$port" "$work/alex" "$BENCH_REQUEST" \
    | grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4 >"$work/ids"
  [ "$(wc -l <"$work/ids")" -eq "$n" ] || die "asked $n times, $(wc -l <"$work/ids") requests made"
}

# Megan approves the requests in $work/ids through the inbox's batch approval (`chunk` a call; the
# inbox sends up to 200). A call that finds no portal (it is being restarted) is sent again.
approve_all() { # portal port, chunk, database URL
  local port=$1 chunk=$2 url=$3 code f
  sign_in "$port" "$work/megan" $MEGAN_OID
  rm -f "$work"/chunk.*
  split -l "$chunk" "$work/ids" "$work/chunk."
  for f in "$work"/chunk.*; do
    local body
    body="{\"ids\":$(python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))' <"$f")}"
    for _ in $(seq 1 600); do
      code=$(curl -s -o "$work/approved" -w '%{http_code}' -b "$work/megan" -H "origin: http://127.0.0.1:$port" \
        -H 'content-type: application/json' "http://127.0.0.1:$port/api/approve_requests" --data "$body" || true)
      [ "$code" = 200 ] && break
      [ "$code" = 401 ] && sign_in "$port" "$work/megan" $MEGAN_OID
      sleep 0.2
    done
    [ "$code" = 200 ] || die "approve_requests kept failing ($code): $(head -c 300 "$work/approved")"
    rm -f "$f"
  done
  # Whatever each answer said (a call sent again finds some approved already), all are approved now.
  local waiting
  waiting=$(psql -At "$url" -c "select count(*) from access_requests
    where id = any('{$(paste -sd, "$work/ids")}'::uuid[]) and status = 'pending_approval'")
  [ "$waiting" = 0 ] || die "$waiting requests are still waiting for approval"
}

create_and_approve() { # portal port, n, database URL
  create_requests "$1" "$2"
  approve_all "$1" 200 "$3"
}

# Every request Graph has on the stand-in, read as Graph pages them, against the portal's ids in
# $work/ids: prints "lost=N doubled=N graph=N" (a lost request is approved in the portal and absent
# from Graph; a doubled one is there more than once, found by the reference the portal puts in notes).
count_on_graph() { # sim port
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$1/_control/tokens" -H 'content-type: application/json' \
    -d '{"user":"adele@contoso.com"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  python3 - "http://127.0.0.1:$1/graph/beta/identityGovernance/permissionsManagement/scheduledPermissionsRequests?\$top=999" \
    "$token" "$work/ids" <<'EOF'
import collections, json, re, sys, urllib.request
url, token, ids = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().split()
seen = collections.Counter()
total = 0
while url:
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    page = json.load(urllib.request.urlopen(req))
    for r in page["value"]:
        total += 1
        for ref in re.findall(r"\[access-portal:([0-9a-f-]+)\]", r.get("notes") or ""):
            seen[ref] += 1
    url = page.get("@odata.nextLink")
lost = sum(1 for i in ids if seen[i] == 0)
doubled = sum(1 for i in ids if seen[i] > 1)
print("lost=%d doubled=%d graph=%d" % (lost, doubled, total))
EOF
}

# What the portal's database says of those requests: "submitted=N open=N failed=N".
portal_outcome() { # database URL
  psql -At "$1" -c "select 'submitted=' || count(*) filter (where r.status in ('submitted', 'completed'))
      || ' open=' || count(*) filter (where s.done_at is null)
      || ' failed=' || count(*) filter (where r.status = 'failed')
    from access_requests r join submissions s on s.request_id = r.id"
}

cpu_seconds() { # pid: user + system time so far, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# CPU seconds of the Postgres backends serving a database now (pooled connections live on).
pg_cpu_seconds() { # database name
  local pids
  pids=$(psql -At "$BENCH_PG/postgres" -c "select pid from pg_stat_activity where datname = '$1'")
  local total=0 p
  for p in $pids; do total=$(awk -v a="$total" -v b="$(cpu_seconds "$p")" 'BEGIN {print a + b}'); done
  echo "$total"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# kill -9, then wait until the process is gone (or a zombie, its sockets closed), so a portal started
# next can listen on the same port.
kill_hard() { # pid
  kill -9 "$1" 2>/dev/null || return 0
  local i
  for i in $(seq 1 100); do
    [ -e "/proc/$1" ] || return 0
    grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null && return 0
    sleep 0.05
  done
}

# median and spread of numbers on stdin: "median=X min=Y max=Z n=N"
summary() {
  sort -n | awk '{v[NR]=$1} END {if (NR == 0) {print "n=0"; exit}
    printf "median=%s min=%s max=%s n=%d\n", v[int((NR+1)/2)], v[1], v[NR], NR}'
}

now_ms() { date +%s%3N; }
