#!/usr/bin/env bash
# What takes the room in the browser bundle: builds it as released but with function names kept
# (profile wasm-names), runs wasm-bindgen and wasm-opt as scripts/build-site.sh does, then prints the
# sizes (raw, gzip, brotli) and twiggy's largest items and largest dominators. Installs twiggy
# (crates.io) when missing.
#   scripts/bundle-size.sh [how many rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
rows=${1:-30}
ensure_wasm_target
ensure_wasm_bindgen
ensure_wasm_opt
command -v twiggy >/dev/null || { say "installing twiggy"; cargo install twiggy --locked; }
target=$(cargo_target_dir)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile wasm-names
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name app \
  "$target/wasm32-unknown-unknown/wasm-names/app.wasm"
wasm-opt -Oz --debuginfo --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals "$out/app_bg.wasm" -o "$out/app.wasm"
node -e '
  const fs = require("fs"), zlib = require("zlib");
  const raw = fs.readFileSync(process.argv[1]);
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
  console.log(`app.wasm with names: raw ${raw.length}, gzip ${zlib.gzipSync(raw, { level: 9 }).length}, brotli ${br.length} bytes`);
' "$out/app.wasm"
echo "== largest items"
twiggy top -n "$rows" "$out/app.wasm"
echo "== largest dominators (what would go if the root went)"
twiggy dominators -d 4 -r "$rows" "$out/app.wasm"
