#!/usr/bin/env bash
# One build and run of the portal for `make dev` without cargo-leptos: the plain-cargo build CI uses
# (scripts/build-site.sh: the site, the server and the stand-in), then the server. nodemon
# (scripts/dev.sh) runs it again after each change, stopping the running portal first; a failed
# build waits for the next change.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/build-site.sh
say "starting the portal on http://${PORTAL_LISTEN_ADDR:-127.0.0.1:3000}"
# Only the running server sees LEPTOS_WATCH (it adds Leptos' reload script to pages): set during a
# build it would change how Leptos compiles, and everything built on it would be built again.
LEPTOS_WATCH=1 exec "$(cargo_target_dir)/debug/server"
