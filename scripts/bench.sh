#!/usr/bin/env bash
# make bench: dx measured against this machine's limits and a peer, in one
# run, each figure the median of several. Writes the table to
# bench/results.txt (not committed). Speeds are measured, never asserted.
#   (a) Ed25519 verifications/s on one core and SHA-256 MB/s, via OpenSSL
#   (b) durable publishes/s of 1 KiB datasets, 200 concurrent publishers
#   (c) ingest and fetch MB/s of a 256 MiB dataset, broker peak RSS
#   (d) Redis Streams XADD of 1 KiB, appendfsync always, 200 clients
#   (e) publish latency p50/p99 at a fixed 1,000/s
# plus the policy and audit benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/bin
B=$PWD/$BUILD/bench
T=$PWD/$BUILD/tests/tools
RUNS=${DX_BENCH_RUNS:-3}
D=$(mktemp -d /tmp/dx-bench.XXXXXX)
BROKER_PID= REDIS_PID=
finish() {
  [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$D"
}
trap finish EXIT
export DX_STATE_DIR=$D/state
mkdir -p bench
out=bench/results.txt

median() { python3 -c 'import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
now() { date +%s.%N; }

start_broker() {
  rm -rf "$D/data"
  "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$D/data" --policies "$D/policies" \
    --key "$D/keys/broker.key" --log-level warn --max-dataset 1G >"$D/broker.log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 100); do
    EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$D/broker.log")
    [ -n "$EP" ] && return 0
    sleep 0.1
  done
  # at warn level the address is not logged: ask the kernel
  EP=tcp://127.0.0.1:$(ss -ltnp 2>/dev/null | awk -v p="pid=$BROKER_PID," '$0 ~ p {split($4, a, ":"); print a[2]; exit}')
  [ "$EP" != "tcp://127.0.0.1:" ]
}
stop_broker() { kill "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true; BROKER_PID=; }
load() { "$T/dx-load" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key"; }
agent() { "$BIN/dx-agent" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key" --timeout 60 "$@"; }

"$PWD/scripts/example-exchange.sh" "$D" "$BIN" >/dev/null
{
  echo "dx benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -m), medians of $RUNS runs"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
} > "$out"

echo "(a) crypto baseline..." >&2
v=() s=()
for _ in $(seq "$RUNS"); do read -r a b < <("$T/dx-load" crypto); v+=("$a"); s+=("$b"); done
verify=$(median "${v[@]}") sha=$(median "${s[@]}")

echo "(b) publish throughput..." >&2
start_broker
p=()
for _ in $(seq "$RUNS"); do p+=("$(load publish 200 3 1024 2 | cut -d' ' -f1)"); done
publish=$(median "${p[@]}")

echo "(e) latency at 1000/s..." >&2
l50=() l99=()
for _ in $(seq "$RUNS"); do read -r a b _ _ < <(load latency 1000 4 1024); l50+=("$a"); l99+=("$b"); done
p50=$(median "${l50[@]}") p99=$(median "${l99[@]}")
stop_broker

echo "(c) 256 MiB ingest and fetch..." >&2
head -c $((256 * 1024 * 1024)) /dev/urandom > "$D/big.bin"
start_broker
in=() outs=()
for i in $(seq "$RUNS"); do
  t0=$(now); agent publish "bench/none" /dev/null >/dev/null 2>&1 || true
  t0=$(now); agent publish "health/big/$i" "$D/big.bin" >/dev/null
  t1=$(now); agent fetch "health/big/$i" --purpose operations -o "$D/back.bin" >/dev/null
  t2=$(now)
  cmp -s "$D/big.bin" "$D/back.bin" || { echo "bench: the fetched bytes differ" >&2; exit 1; }
  in+=("$(python3 -c "print(256 * 1.048576 / ($t1 - $t0))")")
  outs+=("$(python3 -c "print(256 * 1.048576 / ($t2 - $t1))")")
done
rss=$(awk '/VmHWM/ {print $2}' "/proc/$BROKER_PID/status")
ingest=$(median "${in[@]}") fetch=$(median "${outs[@]}")
stop_broker
rm -f "$D/big.bin" "$D/back.bin"

echo "(d) Redis Streams..." >&2
scripts/deps.sh >/dev/null 2>&1 || true
if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$D/redis"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$D/redis" --appendonly yes \
    --appendfsync always --save "" --daemonize no >"$D/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  value=$(head -c 1024 /dev/zero | tr '\0' 'x')
  r=()
  for _ in $(seq "$RUNS"); do
    r+=("$(redis-benchmark -p "$port" -c 200 -n 60000 -q XADD dxbench '*' payload "$value" 2>/dev/null |
            tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -n 1)")
  done
  redis=$(median "${r[@]}")
  kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=
else
  redis=
fi

{
  printf '(a) machine: Ed25519 verify, one core, OpenSSL %14.0f /s\n' "$verify"
  printf '    machine: SHA-256, one core, OpenSSL           %14.0f MB/s\n' "$sha"
  printf '(b) dx publish, 1 KiB, 200 publishers, durable    %14.0f /s   %s x verify rate (goal 0.7)\n' "$publish" "$(ratio "$publish" "$verify")"
  printf '(c) dx ingest, 256 MiB                            %14.0f MB/s %s x SHA-256 (goal 0.5)\n' "$ingest" "$(ratio "$ingest" "$sha")"
  printf '    dx fetch, 256 MiB                             %14.0f MB/s %s x SHA-256\n' "$fetch" "$(ratio "$fetch" "$sha")"
  printf '    broker peak RSS over the three                %14.0f MiB  (goal < 64)\n' "$(python3 -c "print($rss / 1024)")"
  if [ -n "$redis" ]; then
    printf '(d) Redis Streams XADD 1 KiB, appendfsync always  %14.0f /s   dx is %s x Redis (goal 0.5)\n' "$redis" "$(ratio "$publish" "$redis")"
  else
    printf '(d) Redis: redis-server or redis-benchmark missing\n'
  fi
  printf '(e) dx publish latency at 1,000/s                 p50 %.2f ms, p99 %.2f ms\n' "$p50" "$p99"
  echo "    (disk: $(dd if=/dev/zero of="$D/dd" bs=1M count=256 conv=fdatasync 2>&1 | tail -n 1 | sed 's/.*, //') with fdatasync, by dd)"
} >> "$out"
rm -f "$D/dd"
echo "policy and audit benchmarks..." >&2
"$B/bench_policy" "$out" >/dev/null
"$B/bench_audit" "$out" >/dev/null
cat "$out"
