#!/usr/bin/env bash
# make bench: runs each benchmark once (each takes medians of its own runs)
# and collects the table in bench/results.txt. Speeds are measured here,
# never asserted in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mkdir -p bench
out=bench/results.txt
{
  echo "dx benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -m)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
} > "$out"
"$BUILD/bench/bench_policy" "$out" >/dev/null
"$BUILD/bench/bench_audit" "$out" >/dev/null
cat "$out"
