#!/usr/bin/env bash
# Runs every unit test binary, integration script and fuzz target; prints each file's
# counts, the FAIL lines, and at the end "N passed, N failed". Exits
# non-zero on any failure (a script that dies without saying FAIL counts as
# one failure).
#
#   tests/run.sh [NAME...]   only the tests whose name (as printed, e.g.
#                            unit/test_store, integration/views) contains
#                            one of the NAMEs
# DX_NO_FUZZ=1 leaves out the libFuzzer targets (make check).
set -u
BUILD=${BUILD:-build}
export BUILD
# the sanitizer build: leaks of third-party code dx loads (tests/lsan.supp)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
cd "$(dirname "$0")/.."
passed=0
failed=0

wanted() {
  [ ${#FILTERS[@]} -eq 0 ] && return 0
  local f
  for f in "${FILTERS[@]}"; do
    [[ $1 == *"$f"* ]] && return 0
  done
  return 1
}
FILTERS=("$@")

run() {
  local name=$1
  shift
  wanted "$name" || return 0
  local out status p f
  out=$(timeout 900 "$@" 2>&1)
  status=$?
  p=$(grep -c '^PASS ' <<<"$out")
  f=$(grep -c '^FAIL ' <<<"$out")
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    out="$out
FAIL $name: exited with status $status"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  printf '%-40s %3d passed, %d failed\n' "$name" "$p" "$f"
  if [ "$f" -gt 0 ]; then
    grep -E '^(FAIL|#)' <<<"$out" | sed 's/^/    /' | head -40
  fi
}

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
run "policies/tests (dx-admin policy test)" "$BUILD/bin/dx-admin" policy test policies
# the field filter against Python's csv and json readers (tests/differential)
run "differential/filter" /usr/bin/python3 tests/differential/filter_diff.py \
  "$BUILD/tests/tools/dx-filter" "${DX_DIFF_CASES:-50000}"
for s in tests/integration/*.sh; do
  [ "$(basename "$s")" = lib.sh ] && continue
  run "integration/$(basename "$s" .sh)" bash "$s"
done

# the threaded unit tests under ThreadSanitizer (the plain make test builds
# them in build-tsan); a report fails the test (exit 66)
if [ "$BUILD" = build ] && [ -d build-tsan/tests ]; then
  for t in build-tsan/tests/test_*; do
    [ -x "$t" ] && TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp exitcode=66 halt_on_error=0" \
      run "tsan/$(basename "$t")" "$t"
  done
fi

# libFuzzer targets (make test builds them in build-fuzz, already under
# ASan and UBSan), briefly, once: in the plain pass (make fuzz runs them
# for longer).
if [ "$BUILD" = build ] && [ -d build-fuzz/fuzz ] && [ -z "${DX_NO_FUZZ:-}" ]; then
  t=${DX_FUZZ_SECONDS:-10}
  run "fuzz ($t s per target)" scripts/fuzz.sh build-fuzz "$t"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
