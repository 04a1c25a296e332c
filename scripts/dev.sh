#!/usr/bin/env bash
# One command to a running portal: tools, PostgreSQL, the database, the Entra/Graph stand-in, a mail
# catcher (maildev, from npm) that receives every email the portal sends, and the portal, rebuilt
# and restarted on every change, with the open page reloaded after it.
#
# The portal is built as CI builds it (scripts/build-site.sh, plain cargo and wasm-bindgen) under
# nodemon (npm, installed with the journeys' packages in seconds), which runs scripts/dev-portal.sh
# again on each change; scripts/dev-reload.mjs tells open pages to reload once the portal is back.
# cargo-leptos, which takes ~17 minutes to install, is used only when it is already installed (its
# `watch` also patches views without a rebuild); DEV_WATCHER=nodemon skips it even then.
#
# Ports, each overridable: PORTAL_PORT (3000), SIM_PORT (3100), RELOAD_PORT (3001, the browser's
# reload socket), MAILDEV_SMTP_PORT (1025), MAILDEV_WEB_PORT (1080); PORTAL_METRICS_ADDR
# (127.0.0.1:9464) as for the portal itself. DEV_DATABASE names the database (portal).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

portal_port=${PORTAL_PORT:-3000}
sim_port=${SIM_PORT:-3100}
reload_port=${RELOAD_PORT:-3001}
mail_smtp_port=${MAILDEV_SMTP_PORT:-1025}
mail_web_port=${MAILDEV_WEB_PORT:-1080}
database=${DEV_DATABASE:-portal}

watcher=nodemon
if [ "${DEV_WATCHER:-}" != nodemon ] && has_cargo_leptos; then watcher=cargo-leptos; fi

ensure_wasm_target
ensure_wasm_bindgen
ensure_postgres
ensure_database "$database"
ensure_npm_packages   # maildev and nodemon, with the journeys' packages (end2end/package.json)

mkdir -p .dev
# Both binaries in one build, as scripts/build-site.sh and CI build them: built alone, the stand-in
# would unify its dependencies' features differently and compile many of them again.
say "building the Entra/Graph stand-in and the portal's server"
cargo build -p server -p entra-sim --bins
say "starting the Entra/Graph stand-in on http://127.0.0.1:$sim_port"
target_dir=$(cargo_target_dir)
"$target_dir/debug/entra-sim" --port "$sim_port" > .dev/entra-sim.log 2>&1 &
sim_pid=$!

say "starting maildev: SMTP on 127.0.0.1:$mail_smtp_port"
end2end/node_modules/.bin/maildev --ip 127.0.0.1 --smtp "$mail_smtp_port" --web "$mail_web_port" \
  > .dev/maildev.log 2>&1 &
mail_pid=$!
pids="$sim_pid $mail_pid"
trap 'kill $pids 2>/dev/null || true' EXIT INT TERM
# The portal sends through it unless told otherwise.
export PORTAL_SMTP__HOST="${PORTAL_SMTP__HOST:-127.0.0.1}"
export PORTAL_SMTP__PORT="${PORTAL_SMTP__PORT:-$mail_smtp_port}"
export PORTAL_SMTP__MODE="${PORTAL_SMTP__MODE:-none}"
say "every email the portal sends lands in the inbox at http://127.0.0.1:$mail_web_port"

export PORTAL_DATABASE__URL="${PORTAL_DATABASE__URL:-postgres://postgres@$PG_HOST:$PG_PORT/$database}"
export PORTAL_LISTEN_ADDR="127.0.0.1:$portal_port"
export PORTAL_PUBLIC_URL="${PORTAL_PUBLIC_URL:-http://127.0.0.1:$portal_port}"
# The stand-in's tenant (config/defaults.toml), on the stand-in's port.
export PORTAL_AUTH__AUTHORITY="${PORTAL_AUTH__AUTHORITY:-http://127.0.0.1:$sim_port/9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59/v2.0}"
export PORTAL_AUTH__GRAPH_BASE_URL="${PORTAL_AUTH__GRAPH_BASE_URL:-http://127.0.0.1:$sim_port/graph/beta}"
export PORTAL_REQUESTS__PIM__GRAPH_BASE_URL="${PORTAL_REQUESTS__PIM__GRAPH_BASE_URL:-http://127.0.0.1:$sim_port/graph/v1.0}"
# DEV lets the CSP allow the reload socket (ws://127.0.0.1:<reload port>); read when the portal runs.
export LEPTOS_ENV=DEV
export LEPTOS_RELOAD_PORT="$reload_port"

if [ "$watcher" = cargo-leptos ]; then
  say "starting the portal under cargo-leptos; open http://127.0.0.1:$portal_port once it says it is listening"
  export LEPTOS_SITE_ADDR="$PORTAL_LISTEN_ADDR"
  cargo leptos watch --split
  exit
fi

node scripts/dev-reload.mjs "$reload_port" "$PORTAL_LISTEN_ADDR" > .dev/reload.log 2>&1 &
pids="$pids $!"
say "building the portal; open http://127.0.0.1:$portal_port once it says it is starting (logs below)"
say "it is rebuilt and restarted on every change, and the open page reloads when it is back"
# Not exec: the trap above stops the stand-in, maildev and the reload socket with it.
end2end/node_modules/.bin/nodemon --quiet --delay 1 --signal SIGTERM \
  --watch app --watch server/src --watch style --watch config --watch migrations \
  --watch Cargo.toml --watch Cargo.lock --watch app/Cargo.toml --watch server/Cargo.toml \
  --ext rs,toml,css,html,sql,svg,lock \
  --exec scripts/dev-portal.sh
