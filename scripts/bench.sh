#!/usr/bin/env bash
# The benchmarks of issue 17, in one command: builds the release site and binaries
# (scripts/build-site.sh --release; BENCH_SKIP_BUILD=1 measures the build in place), runs the parts,
# prints what each measured and writes it into BENCHMARKS.md between its "generated" markers (the
# reading of the figures around them is written by hand). Each part also runs alone:
#   pages      page speed, request creation at 16 and 64 connections next to pgbench, statements per
#              creation, bundle sizes, the portal's memory under creation (scripts/bench-pages.sh);
#   approvals  1,000 approvals to submission, Graph healthy and 30% faulted (scripts/bench/approvals.sh);
#   ingest     100,000 Graph changes through the status poller, next to reading the feed and a raw
#              COPY of the same rows (scripts/bench/ingest.sh);
#   audit      the auditor's pages at 200,000 requests and 1,000,000 history rows, and the export's
#              peak memory (scripts/bench-audit.sh);
#   memory     the portal's memory at rest and at its peaks: the memory rows of pages and audit.
#   scripts/bench.sh [all|pages|approvals|ingest|audit|memory]...
# BENCH_RUNS (3) runs of pages, approvals and ingest; BENCH_SECONDS (10) per wrk run; BENCH_AUDIT_ROUNDS
# (200) requests per audit figure. Ports 3500-3539, databases portal_bench17_*.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(all)
[ "${parts[*]}" = all ] && parts=(pages approvals ingest audit)
runs=${BENCH_RUNS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  say "building the release site and binaries (about 20 minutes from cold on 2 cores)"
  scripts/build-site.sh --release
fi
export BENCH_SKIP_BUILD=1
bin=$(cargo_target_dir)/release

part() { # name: runs it, its output to the terminal and to $out/name
  case "$1" in
    pages)
      for r in $(seq 1 "$runs"); do
        echo "-- run $r"
        BENCH_PORTAL_PORT=3520 BENCH_SIM_PORT=3521 BENCH_DB=portal_bench17_pages \
          scripts/bench-pages.sh "${BENCH_SECONDS:-10}"
      done ;;
    approvals) scripts/bench/approvals.sh "$runs" ;;
    ingest) scripts/bench/ingest.sh "$runs" ;;
    audit)
      BENCH_PORTAL_PORT=3530 BENCH_SIM_PORT=3531 BENCH_DB=portal_bench17_audit PORTAL_BIN_DIR=$bin \
        scripts/bench-audit.sh "${BENCH_AUDIT_ROUNDS:-200}" ;;
    memory)
      BENCH_STEPS=2 part pages
      BENCH_PORTAL_PORT=3530 BENCH_SIM_PORT=3531 BENCH_DB=portal_bench17_audit PORTAL_BIN_DIR=$bin \
        scripts/bench-audit.sh 1 | grep -E '^export|^==' ;;
    *) die "unknown part $1 (pages, approvals, ingest, audit, memory or all)" ;;
  esac
}

machine="$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB memory, Linux $(uname -r), $(psql -At "${PG_URL:-postgres://postgres@127.0.0.1:5432}/postgres" -c 'show server_version' | cut -d' ' -f1) PostgreSQL"
for p in "${parts[@]}"; do
  say "part: $p (load $(cut -d' ' -f1-3 /proc/loadavg))"
  {
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), started $(date -u +%FT%TZ)"
    part "$p"
  } 2>&1 | tee "$out/$p"
done

# BENCHMARKS.md: the generated block of each part replaced, the rest of the file kept.
[ -f BENCHMARKS.md ] || printf '# Benchmarks\n\nWritten by `scripts/bench.sh`; see there.\n' >BENCHMARKS.md
for p in "${parts[@]}"; do
  python3 - BENCHMARKS.md "$p" "$out/$p" "$machine" "$(git rev-parse --short HEAD)" <<'EOF'
import re, sys, datetime
path, part, result, machine, commit = sys.argv[1:]
text = open(path).read()
start, end = f"<!-- generated: {part} -->", f"<!-- end generated: {part} -->"
body = (f"{start}\n`scripts/bench.sh {part}` on {machine}, commit {commit}, "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC:\n\n```text\n"
        + re.sub(r"\x1b\[[0-9;]*m", "", open(result).read()).strip() + f"\n```\n{end}")
if start in text:
    text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: body, text, flags=re.S)
else:
    text = text.rstrip() + f"\n\n## {part} (measured)\n\n{body}\n"
open(path, "w").write(text)
EOF
done
say "results in BENCHMARKS.md (${parts[*]})"
