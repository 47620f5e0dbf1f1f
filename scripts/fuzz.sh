#!/usr/bin/env bash
# fuzz.sh BUILD SECONDS: runs each libFuzzer target in BUILD/fuzz for
# SECONDS, starting from its seeds in tests/fuzz/corpus/NAME (and the
# refusal tests' inputs under tests/data) and the corpus
# earlier runs grew in BUILD/corpus/NAME. One line per target:
#   PASS fuzz_wire: 1234567 inputs in 60 s, no crash (corpus 812)
#   FAIL fuzz_wire: crash, input saved as build-fuzz/crashes/fuzz_wire-crash-...
# A crashing input belongs in tests/fuzz/corpus/NAME once fixed, so that
# every later run tries it first.
set -u
BUILD=${1:?usage: fuzz.sh BUILD SECONDS}
SECONDS_EACH=${2:-60}
cd "$(dirname "$0")/.."
status=0
for bin in "$BUILD"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  short=${name#fuzz_}
  work=$BUILD/corpus/$short
  mkdir -p "$work" "$BUILD/crashes"
  opts=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$BUILD/crashes/$name-")
  [ -f "tests/fuzz/$short.dict" ] && opts+=(-dict="tests/fuzz/$short.dict")
  seeds=("tests/fuzz/corpus/$short")
  # the refusal tests' inputs are seeds too
  [ "$short" = policy ] && opts+=(-max_len=16384) && seeds+=(tests/data/bad-policies)
  [ "$short" = wire ] && seeds+=(tests/data/frames)
  log=$BUILD/fuzz-$short.log
  "$bin" "${opts[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  size=$(find "$work" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    echo "PASS $name: ${runs:-0} inputs in $SECONDS_EACH s, no crash (corpus $size)"
  else
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    why=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log")
    echo "FAIL $name: ${why:-exit $rc}; input saved as ${artifact:-?}; log $log"
    status=1
  fi
done
exit $status
