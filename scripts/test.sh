#!/usr/bin/env bash
# The whole check, as CI runs it: format, lints, unit and integration tests against real Postgres, then
# the browser journeys in Debian's Chromium. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
started=$(date +%s)
step() { say "$1 (at $(( $(date +%s) - started ))s)"; }

step "checking formatting"
cargo fmt --all -- --check

ensure_postgres
# sqlx::test creates (and drops) a fresh database per test from this connection.
export DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/postgres"

step "linting"
cargo clippy --workspace --all-targets -- -D warnings

step "unit and integration tests"
if command -v cargo-nextest >/dev/null; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi

step "building the site"
# The test build above already made target/debug/{server,entra-sim}; the journeys use those.
scripts/build-site.sh --site-only

step "browser journeys"
ensure_chromium
ensure_npm_packages
# A clean database for each run: the journeys assert on what they create. E2E_DATABASE, E2E_PORTAL_PORT
# and E2E_SIM_PORT let two runs share a machine.
e2e_db=${E2E_DATABASE:-portal_e2e}
dropdb -h "$PG_HOST" -p "$PG_PORT" -U postgres --if-exists "$e2e_db"
ensure_database "$e2e_db"
target_dir=$(cargo_target_dir)
(cd end2end && CI=1 PORTAL_BIN_DIR="$target_dir/debug" \
  E2E_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/$e2e_db" npx playwright test)

step "all checks passed"
