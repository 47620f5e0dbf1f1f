#!/usr/bin/env bash
# Encryption at rest and erasure under load (make bench, section i):
#   - ingest and fetch of a 256 MiB dataset with encryption at rest, as a
#     ratio of the same figures of dx before it (the commit in
#     DX_BENCH_BASE, built beside this one from git), both brokers run
#     alternately in one run, medians over RUNS runs each
#   - the time to erase one version of 1 GiB (dx-admin erase, until its
#     commit is acknowledged)
#   - a master key rotation over DX_BENCH_SWEEP content keys, while the
#     broker runs (dx-admin master-key rotate, until acknowledged)
#   - a retention sweep over DX_BENCH_SWEEP (default 100,000) expired
#     versions: from the broker's start to its last erasure, from its log
# Usage: scripts/bench_privacy.sh BIN_DIR TOOLS_DIR OUT_FILE RUNS
set -euo pipefail
BIN=$1 TOOLS=$2 OUT=$3 RUNS=${4:-3}
BASE=${DX_BENCH_BASE:-6be7cff}
SWEEP=${DX_BENCH_SWEEP:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d /tmp/dx-bench-privacy.XXXXXX)
PID=
finish() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  wait 2>/dev/null || true
  [ -d "$D/base" ] && git -C "$ROOT" worktree remove --force "$D/base" >/dev/null 2>&1
  rm -rf "$D"
}
trap finish EXIT
export DX_STATE_DIR=$D/state
median() { python3 -c 'import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
now() { date +%s.%N; }
"$ROOT/scripts/example-exchange.sh" "$D" "$BIN" >/dev/null

# start BIN_DIR [ARGS...]: a broker of that build on a fresh store
start() {
  local bin=$1
  shift
  rm -rf "$D/data" "$DX_STATE_DIR"
  "$bin/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$D/data" --policies "$D/policies" \
    --key "$D/keys/broker.key" --max-dataset 2G "$@" >"$D/broker.log" 2>&1 &
  PID=$!
  for _ in $(seq 200); do
    EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$D/broker.log")
    [ -n "$EP" ] && return 0
    sleep 0.1
  done
  echo "bench: the broker did not start" >&2
  cat "$D/broker.log" >&2
  return 1
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=; }
cli() { local bin=$1 prog=$2; shift 2; "$bin/$prog" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --timeout 120; }

# the build before encryption at rest, for the ratio
base_bin=
if git -C "$ROOT" rev-parse --verify -q "$BASE^{commit}" >/dev/null &&
   git -C "$ROOT" worktree add --detach "$D/base" "$BASE" >/dev/null 2>&1 &&
   make -C "$D/base" -j"$(nproc)" >"$D/base.log" 2>&1; then
  base_bin=$D/base/build/bin
else
  echo "bench: cannot build $BASE beside this tree; the ratios are left out" >&2
fi

head -c $((256 * 1024 * 1024)) /dev/urandom > "$D/big.bin"
declare -A in out
for i in $(seq "$RUNS"); do
  for which in base now; do
    [ "$which" = base ] && [ -z "$base_bin" ] && continue
    bin=$BIN
    [ "$which" = base ] && bin=$base_bin
    start "$bin"
    t0=$(now); cli "$bin" dx-agent --key "$D/keys/health.key" publish "health/big/$i" "$D/big.bin" >/dev/null
    t1=$(now); cli "$bin" dx-agent --key "$D/keys/health.key" fetch "health/big/$i" --purpose operations -o "$D/back.bin" >/dev/null
    t2=$(now)
    cmp -s "$D/big.bin" "$D/back.bin" || { echo "bench: the fetched bytes differ" >&2; exit 1; }
    in[$which]+=" $(python3 -c "print(256 * 1.048576 / ($t1 - $t0))")"
    out[$which]+=" $(python3 -c "print(256 * 1.048576 / ($t2 - $t1))")"
    stop
  done
done
rm -f "$D/back.bin" "$D/big.bin"
# shellcheck disable=SC2086
ingest=$(median ${in[now]}) fetch=$(median ${out[now]})

echo "(i) erase of 1 GiB..." >&2
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$D/giga.bin"
er=()
start "$BIN"
for i in $(seq "$RUNS"); do
  cli "$BIN" dx-agent --key "$D/keys/health.key" publish "health/giga/$i" "$D/giga.bin" >/dev/null
  t0=$(now)
  "$BIN/dx-admin" erase "health/giga/$i@1" --reason bench --broker "$EP" --broker-pub "$D/keys/broker.pub" \
    --key "$D/keys/office.key" --timeout 120 >/dev/null
  t1=$(now)
  er+=("$(python3 -c "print(($t1 - $t0) * 1000)")")
done
stop
rm -f "$D/giga.bin"

echo "(i) master key rotation and retention sweep over $SWEEP versions..." >&2
"$BIN/dx-admin" master-key new "$D/master.key" >/dev/null
start "$BIN" --master-key "$D/master.key"
"$TOOLS/dx-load" fill "$SWEEP" 256 --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key" >/dev/null
t0=$(now)
"$BIN/dx-admin" master-key rotate --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/office.key" \
  --timeout 120 >/dev/null
t1=$(now)
rotate=$(python3 -c "print(($t1 - $t0) * 1000)")
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
cat >> "$D/policies/datasets.yaml" <<'EOF'
  - match: "health/bench/**"
    owner: health
    classification: restricted
    retention: 1s
EOF
sleep 1.1
"$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$D/data" --policies "$D/policies" \
  --key "$D/keys/broker.key" --master-key "$D/master.key" --retention-every 1 >"$D/broker.log" 2>&1 &
PID=$!
for _ in $(seq 1200); do
  n=$({ grep -o 'retention: erased [0-9]*' "$D/broker.log" || true; } | awk '{s += $3} END {print s + 0}')
  [ "$n" -ge "$SWEEP" ] && break
  sleep 0.5
done
stop
sweep=$(python3 - "$D/broker.log" <<'EOF'
import sys, datetime
def t(line):
    return datetime.datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f")
lines = open(sys.argv[1]).read().splitlines()
start = next(t(l) for l in lines if "listening endpoint" in l)
last = [t(l) for l in lines if "retention: erased" in l][-1]
print((last - start).total_seconds())
EOF
)

{
  if [ -n "$base_bin" ]; then
    # shellcheck disable=SC2086
    b_in=$(median ${in[base]}) b_out=$(median ${out[base]})
    printf '(i) ingest, 256 MiB, encrypted at rest            %14.0f MB/s %.2f x before it (%.0f MB/s, %s; goal 0.9)\n' \
      "$ingest" "$(python3 -c "print($ingest / $b_in)")" "$b_in" "$BASE"
    printf '    fetch, 256 MiB, encrypted at rest             %14.0f MB/s %.2f x before it (%.0f MB/s; goal 0.9)\n' \
      "$fetch" "$(python3 -c "print($fetch / $b_out)")" "$b_out"
  else
    printf '(i) ingest, 256 MiB, encrypted at rest            %14.0f MB/s (no baseline build)\n' "$ingest"
    printf '    fetch, 256 MiB, encrypted at rest             %14.0f MB/s\n' "$fetch"
  fi
  printf '    erase of one 1 GiB version (dx-admin erase)  %14.1f ms\n' "$(median "${er[@]}")"
  printf '    master key rotation, %d content keys      %8.0f ms (dx-admin master-key rotate)\n' "$SWEEP" "$rotate"
  printf '    retention sweep, %d expired versions       %8.1f s from start, %.0f versions/s\n' \
    "$SWEEP" "$sweep" "$(python3 -c "print($SWEEP / $sweep)")"
} >> "$OUT"
