#!/usr/bin/env bash
# What takes the room in the browser bundle: builds it as released but with function names kept
# (profile wasm-names), runs wasm-bindgen and wasm-opt as scripts/build-site.sh does, then prints the
# sizes (raw, gzip, brotli) and twiggy's largest items and largest dominators. Installs twiggy
# (crates.io) when missing. The bundle is split at its lazy routes as the build splits it: each part
# is reported on its own.
#   scripts/bundle-size.sh [how many rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
rows=${1:-30}
ensure_wasm_target
ensure_wasm_bindgen
command -v twiggy >/dev/null || { say "installing twiggy"; cargo install twiggy --locked; }
target=$(cargo_target_dir)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile wasm-names
# As scripts/build-site.sh does, with the names kept through wasm-opt.
split_and_bind "$target/wasm32-unknown-unknown/wasm-names" "$out"
optimize_wasm "$out" --debuginfo
node -e '
  const fs = require("fs"), path = require("path"), zlib = require("zlib");
  for (const file of process.argv.slice(1)) {
    const raw = fs.readFileSync(file);
    const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
    console.log(`${path.basename(file)} with names: raw ${raw.length}, gzip ${zlib.gzipSync(raw, { level: 9 }).length}, brotli ${br.length} bytes`);
  }
' "$out"/*.wasm
for wasm in "$out"/app.wasm "$out"/split_*.wasm; do
  [ -f "$wasm" ] || continue
  echo "== $(basename "$wasm"): largest items"
  twiggy top -n "$rows" "$wasm"
  echo "== $(basename "$wasm"): largest dominators (what would go if the root went)"
  twiggy dominators -d 4 -r "$rows" "$wasm"
done
