#!/usr/bin/env bash
# One command to a running portal: tools, PostgreSQL, the database, the Entra/Graph stand-in, a mail
# catcher (maildev, from npm) that receives every email the portal sends, and the portal under
# cargo-leptos with reload on change.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_wasm_target
ensure_wasm_bindgen
ensure_cargo_leptos
ensure_postgres
ensure_database portal
ensure_npm_packages   # maildev, with the journeys' packages (end2end/package.json)

mkdir -p .dev
say "building and starting the Entra/Graph stand-in on http://127.0.0.1:3100"
cargo build -q -p entra-sim
target_dir=$(cargo_target_dir)
"$target_dir/debug/entra-sim" --port 3100 > .dev/entra-sim.log 2>&1 &
sim_pid=$!

mail_smtp_port=${MAILDEV_SMTP_PORT:-1025}
mail_web_port=${MAILDEV_WEB_PORT:-1080}
say "starting maildev: SMTP on 127.0.0.1:$mail_smtp_port"
end2end/node_modules/.bin/maildev --ip 127.0.0.1 --smtp "$mail_smtp_port" --web "$mail_web_port" \
  > .dev/maildev.log 2>&1 &
mail_pid=$!
trap 'kill $sim_pid $mail_pid 2>/dev/null || true' EXIT INT TERM
# The portal sends through it unless told otherwise.
export PORTAL_SMTP__HOST="${PORTAL_SMTP__HOST:-127.0.0.1}"
export PORTAL_SMTP__PORT="${PORTAL_SMTP__PORT:-$mail_smtp_port}"
export PORTAL_SMTP__MODE="${PORTAL_SMTP__MODE:-none}"
say "every email the portal sends lands in the inbox at http://127.0.0.1:$mail_web_port"

say "starting the portal; open http://127.0.0.1:3000 once it says it is listening (logs below)"
export PORTAL_DATABASE__URL="${PORTAL_DATABASE__URL:-postgres://postgres@$PG_HOST:$PG_PORT/portal}"
# cargo-leptos 0.3.10 ignores `env = "DEV"` in the metadata; this is what turns on live reload.
export LEPTOS_ENV=DEV
cargo leptos watch
