# The two commands a newcomer needs. Everything else lives in scripts/.
.PHONY: dev test build release bench

## Run the portal with everything it needs (installs tools, starts PostgreSQL and the stand-in).
dev:
	scripts/dev.sh

## Everything CI checks: fmt, clippy, unit + integration tests on real Postgres, browser journeys.
test:
	scripts/test.sh

## Build the site and binaries without cargo-leptos (debug / optimised).
build:
	scripts/build-site.sh

release:
	scripts/build-site.sh --release

## The benchmarks (release builds; about an hour): figures into BENCHMARKS.md. PARTS=approvals runs one.
bench:
	scripts/bench.sh $(PARTS)
