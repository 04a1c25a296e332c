#!/usr/bin/env bash
# One command to a running portal: tools, PostgreSQL, the database, the Entra/Graph stand-in, and the
# portal under cargo-leptos with reload on change.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_wasm_target
ensure_wasm_bindgen
ensure_cargo_leptos
ensure_postgres
ensure_database portal

mkdir -p .dev
say "building and starting the Entra/Graph stand-in on http://127.0.0.1:3100"
cargo build -q -p entra-sim
target_dir=$(cargo_target_dir)
"$target_dir/debug/entra-sim" --port 3100 > .dev/entra-sim.log 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT INT TERM

say "starting the portal; open http://127.0.0.1:3000 once it says it is listening (logs below)"
export PORTAL_DATABASE__URL="${PORTAL_DATABASE__URL:-postgres://postgres@$PG_HOST:$PG_PORT/portal}"
# cargo-leptos 0.3.10 ignores `env = "DEV"` in the metadata; this is what turns on live reload.
export LEPTOS_ENV=DEV
cargo leptos watch
