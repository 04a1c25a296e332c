# Shared by scripts/*.sh: make sure the tools and services the portal needs are here, installing what is
# missing. Every function is idempotent and quiet when nothing needs doing.
# Pinned versions live here and nowhere else.
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
CARGO_LEPTOS_VERSION=0.3.10    # 0.3.11 needs rustc 1.96
PG_HOST=127.0.0.1
PG_PORT=5432

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root for: $*"; fi
}

ensure_wasm_target() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && return
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

ensure_wasm_bindgen() {
  if command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ]; then
    return
  fi
  # Not --locked: the locked build wants a webpki-roots version the registry mirror does not have.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
}

# cargo-leptos at the pinned version, already installed: `make dev` uses it then, and never installs it
# (17 minutes on 2 cores; the plain-cargo build under nodemon does the same job).
has_cargo_leptos() {
  command -v cargo-leptos >/dev/null && cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"
}

# scripts/wasm-split, built (once, then only when it changes) into the target directory; prints its path.
wasm_split_tool() {
  local target
  target=$(cargo_target_dir)
  cargo build -q --release --manifest-path scripts/wasm-split/Cargo.toml --target-dir "$target" >&2 ||
    die "building scripts/wasm-split failed"
  echo "$target/release/wasm-split"
}

# The bundle cargo built (DIR/app.wasm, linked with --emit-relocs) into OUT as the browser loads it:
# cut at the lazy routes (the chunks, their loader and manifest into OUT; the main module beside the
# input), then wasm-bindgen, which keeps the exports the chunks link against (OUT/app.js, OUT/app.wasm:
# Leptos asks for <output-name>.wasm when LEPTOS_OUTPUT_NAME is set at compile time, .cargo/config.toml).
#   split_and_bind DIR OUT
split_and_bind() {
  "$(wasm_split_tool)" "$1/app.wasm" "$2" app
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle --out-dir "$2" \
    --out-name app "$1/app_split.wasm"
  mv "$2/app_bg.wasm" "$2/app.wasm"
}

# wasm-opt -Oz over every part of the bundle in OUT, with any further options given.
#   optimize_wasm OUT [wasm-opt options]
optimize_wasm() {
  local out=$1 wasm
  shift
  ensure_wasm_opt
  for wasm in "$out"/*.wasm; do
    wasm-opt -Oz "$@" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals "$wasm" -o "$wasm"
  done
}

# wasm-opt from npm: Debian's binaryen 108 produces a bundle that never hydrates.
ensure_wasm_opt() {
  [ -x end2end/node_modules/.bin/wasm-opt ] || ensure_npm_packages
  export PATH="$PWD/end2end/node_modules/.bin:$PATH"
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  say "installing Debian's chromium (browser tests never download a browser of their own)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium ||
    { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
}

ensure_npm_packages() {
  command -v npm >/dev/null || die "npm is missing; install Node.js: apt-get install -y nodejs npm"
  if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing end2end npm packages"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }

# PostgreSQL on 127.0.0.1:5432: the system cluster when there is one (started if down), else a cluster of
# the project's own under .dev/postgres made with the system's binaries.
ensure_postgres() {
  pg_ready && return
  if ! command -v pg_ctlcluster >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    die "PostgreSQL is not installed. Install it with: apt-get install -y postgresql"
  fi
  if [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    local version; version=$(ls /etc/postgresql | sort -V | tail -1)
    say "starting the system PostgreSQL $version cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  else
    local bin; bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
    local data="$PWD/.dev/postgres"
    if [ ! -f "$data/PG_VERSION" ]; then
      say "creating the project's own PostgreSQL cluster in .dev/postgres"
      mkdir -p "$data"
      "$bin/initdb" -D "$data" -U postgres --auth=trust >/dev/null
    fi
    say "starting the project's PostgreSQL cluster"
    "$bin/pg_ctl" -D "$data" -l "$PWD/.dev/postgres.log" -o "-p $PG_PORT -k /tmp -h $PG_HOST" -w start >/dev/null
  fi
  for _ in $(seq 1 30); do pg_ready && return; sleep 1; done
  die "PostgreSQL did not come up on $PG_HOST:$PG_PORT"
}

ensure_database() {
  local name=$1
  if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname = '$name'" | grep -q 1; then
    say "creating database $name"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres "$name"
  fi
}

cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}
