#!/usr/bin/env bash
# Builds the site and the binaries with plain cargo: what `cargo leptos build` does (wasm, wasm-bindgen,
# CSS, server), without needing cargo-leptos, which takes 17 minutes to install on a fresh machine.
# Output: target/site/ (pkg/app.js, pkg/app.wasm, pkg/app.css, public files), and the `server` and
# `entra-sim` binaries in cargo's target directory.
#   scripts/build-site.sh            debug build
#   scripts/build-site.sh --release  optimised, stripped wasm passed through wasm-opt
#   scripts/build-site.sh --site-only  the site alone: the test run already built the binaries (cargo
#                                      builds a package's binaries for its integration tests)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

release=false
bins=true
case "${1:-}" in
  --release) release=true ;;
  --site-only) bins=false ;;
  "") ;;
  *) die "unknown option $1 (use --release or --site-only)" ;;
esac

ensure_wasm_target
ensure_wasm_bindgen

target_dir=$(cargo_target_dir)
site=target/site
if $release; then
  wasm_args=(--profile wasm-release); wasm_dir=wasm-release; bin_args=(--release)
else
  wasm_args=(); wasm_dir=debug; bin_args=()
fi

say "building the browser bundle"
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate "${wasm_args[@]}"

rm -rf "$site"
mkdir -p "$site/pkg"
say "splitting the browser bundle at its lazy routes"
split_and_bind "$target_dir/wasm32-unknown-unknown/$wasm_dir" "$site/pkg"
if $release; then optimize_wasm "$site/pkg"; fi
cp style/main.css "$site/pkg/app.css"
# Brotli and gzip copies beside each file, chosen by the server from Accept-Encoding. Without Node
# the bundle is still served, uncompressed.
if command -v node >/dev/null; then
  if $release; then node scripts/compress-assets.mjs "$site/pkg"; else node scripts/compress-assets.mjs "$site/pkg" --fast; fi
else
  warn "node is missing: the bundle is served uncompressed (install Node.js to compress it)"
fi
[ -d public ] && cp -R public/. "$site/"

if $bins; then
  say "building the server and the stand-in"
  cargo build -p server -p entra-sim --bins "${bin_args[@]}"
fi
say "site built in $site"
