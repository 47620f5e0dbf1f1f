#!/usr/bin/env bash
# make bench: dx measured against this machine's limits and a peer, in one
# run, each figure the median of several. Writes the table to
# bench/results.txt (not committed). Speeds are measured, never asserted.
#   (a) Ed25519 verifications/s on one core and SHA-256 MB/s, via OpenSSL
#   (b) durable publishes/s of 1 KiB datasets, 200 concurrent publishers
#   (c) ingest and fetch MB/s of a 256 MiB dataset, broker peak RSS
#   (d) Redis Streams XADD of 1 KiB, appendfsync always, 200 clients
#   (e) publish latency p50/p99 at a fixed 1,000/s
#   (f) the transport's own limit: a plain CURVE ZeroMQ stream of 1 MiB
#       frames between two processes, which (c) is reported against
#   (g) the catalog as it grows (DX_BENCH_CATALOG, default 10k 100k 1M
#       datasets): publish rate, list and info latency for members who see
#       nothing, little and much, disk bytes per stored version
#   (h) the agent services (scripts/bench_agents.sh): outbox to inbox
#       latency of a filtered 1 KiB view, delivered versions/s to 50
#       subscribers
#   (i) privacy (scripts/bench_privacy.sh): 256 MiB ingest and fetch with
#       encryption at rest as a ratio of the build before it, erasure of
#       1 GiB, master key rotation and a retention sweep of 100,000 versions
#   (j) one member's flood against another member's publishes
#       (scripts/bench_flood.sh): publish latency alone and while a member
#       with no rights floods the feed, or the auditor floods queries
#   (k) reads beside the writer (scripts/bench_readers.sh): a 256 MiB
#       view fetched by one and four consumers, the writer thread's CPU
#       per fetched MiB, publish latency alone and while four fetch
#   (l) content on Ceph (scripts/bench_rados.sh): 256 MiB ingest and fetch
#       with content-store rados against the pool's raw throughput at the
#       same concurrency and against LMDB content; small publishes/s with
#       RADOS content as a ratio of LMDB content
#   (m) a group of brokers on Ceph (scripts/bench_group.sh): small
#       publishes/s and latency at 1,000/s on the active of a group of two
#       against a broker alone on the same pool; failover time, median of 5
#   (n) keys in hardware (scripts/bench_evidence.sh): small publishes/s
#       with the broker's signing key, then its master key too, in SoftHSM2
#       against key files
# plus the policy and audit benchmarks (the audit log at DX_BENCH_AUDIT
# records, default 1M and 10M; dx-audit verify and report over it, their
# time and peak memory). The broker's peak RSS is the highest of
# every broker the bench starts.
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
  rm -rf "$D/data" "$DX_STATE_DIR"  # a new log: agents witness it afresh
  "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$D/data" --policies "$D/policies" \
    --key "$D/keys/broker.key" --log-level warn --max-dataset 1G >"$D/broker.log" 2>&1 &
  BROKER_PID=$!
  sample_rss "$BROKER_PID" >> "$D/rss" &
  SAMPLER=$!
  for _ in $(seq 100); do
    EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$D/broker.log")
    [ -n "$EP" ] && return 0
    sleep 0.1
  done
  # at warn level the address is not logged: ask the kernel
  EP=tcp://127.0.0.1:$(ss -ltnp 2>/dev/null | awk -v p="pid=$BROKER_PID," '$0 ~ p {split($4, a, ":"); print a[2]; exit}')
  [ "$EP" != "tcp://127.0.0.1:" ]
}
# The broker's own memory is its anonymous RSS, sampled as it runs: its
# file-backed RSS is LMDB's map, pages of the store that the kernel keeps
# in the page cache and may drop, and it grows with the store.
PEAK_ANON=0 PEAK_FILE=0 SAMPLER=
sample_rss() {
  local pid=$1 anon file
  while kill -0 "$pid" 2>/dev/null; do
    read -r anon file < <(awk '/RssAnon/ {a=$2} /RssFile/ {f=$2} END {print a+0, f+0}' "/proc/$pid/status" 2>/dev/null)
    echo "${anon:-0} ${file:-0}"
    sleep 0.2
  done
}
stop_broker() {
  kill "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true; BROKER_PID=
  [ -n "$SAMPLER" ] && { wait "$SAMPLER" 2>/dev/null || true; SAMPLER=; }
  read -r PEAK_ANON PEAK_FILE < <(awk -v a="$PEAK_ANON" -v f="$PEAK_FILE" \
    '{if ($1 > a) a = $1; if ($2 > f) f = $2} END {print a, f}' "$D/rss")
}
load() { "$T/dx-load" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key"; }
load_as() { local who=$1; shift; "$T/dx-load" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/$who.key"; }
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
ingest=$(median "${in[@]}") fetch=$(median "${outs[@]}")
stop_broker
rm -f "$D/big.bin" "$D/back.bin"

echo "(f) CURVE stream baseline..." >&2
c=()
for _ in $(seq "$RUNS"); do c+=("$("$T/dx-curve-stream" 256)"); done
curve=$(median "${c[@]}")

echo "(g) catalog scale..." >&2
start_broker
head -c 1024 /dev/urandom > "$D/known.bin"
agent publish health/bench/known "$D/known.bin" >/dev/null
one=health/bench/known have=1 catalog=()
for n in ${DX_BENCH_CATALOG:-10000 100000 1000000}; do
  rate=$(load fill $((n - have)) 1024 | cut -d' ' -f1) || { echo "bench: the fill failed" >&2; exit 1; }
  have=$n
  read -r none_p50 _ _ < <(load_as education ask list '' 50)
  read -r little_p50 _ _ < <(load_as statistics ask list '' 50)
  read -r much_p50 _ _ < <(load_as health ask list '' 50)
  read -r info_much _ _ < <(load_as health ask info "$one" 200)
  read -r info_little _ _ < <(load_as statistics ask info "$one" 200)
  bytes=$(python3 -c "import os; print(round(os.stat('$D/data/data.mdb').st_blocks * 512 / $n))")
  catalog+=("$(printf '    %8d datasets   publish %6.0f /s   list: nothing %6.2f ms, little %6.2f ms, much %6.2f ms   info: little %5.2f ms, much %5.2f ms   %6d bytes/version'     "$n" "$rate" "$none_p50" "$little_p50" "$much_p50" "$info_little" "$info_much" "$bytes")")
done
stop_broker

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
  printf '(f) machine: CURVE ZeroMQ stream, 1 MiB frames    %14.0f MB/s (two processes, loopback)\n' "$curve"
  printf '(b) dx publish, 1 KiB, 200 publishers, durable    %14.0f /s   %s x verify rate (goal 0.9)\n' "$publish" "$(ratio "$publish" "$verify")"
  printf '(c) dx ingest, 256 MiB                            %14.0f MB/s %s x CURVE stream (goal 0.5), %s x SHA-256\n' "$ingest" "$(ratio "$ingest" "$curve")" "$(ratio "$ingest" "$sha")"
  printf '    dx fetch, 256 MiB                             %14.0f MB/s %s x CURVE stream (goal 0.5)\n' "$fetch" "$(ratio "$fetch" "$curve")"
  if [ -n "$redis" ]; then
    printf '(d) Redis Streams XADD 1 KiB, appendfsync always  %14.0f /s   dx is %s x Redis (goal 0.5)\n' "$redis" "$(ratio "$publish" "$redis")"
  else
    printf '(d) Redis: redis-server or redis-benchmark missing\n'
  fi
  printf '(e) dx publish latency at 1,000/s                 p50 %.2f ms, p99 %.2f ms (goal p99 <= 3)\n' "$p50" "$p99"
  echo "(g) the catalog as it grows (1 KiB datasets; list: first page, members who see nothing,"
  echo "    little (one rule) and much (everything); info of a visible and an invisible name)"
  printf '%s\n' "${catalog[@]}"
  echo "    (disk: $(dd if=/dev/zero of="$D/dd" bs=1M count=256 conv=fdatasync 2>&1 | tail -n 1 | sed 's/.*, //') with fdatasync, by dd)"
} >> "$out"
rm -f "$D/dd"
echo "(h) agent services..." >&2
scripts/bench_agents.sh "$BIN" "$out" "$RUNS"
echo "(i) encryption at rest, erasure, rotation, retention..." >&2
scripts/bench_privacy.sh "$BIN" "$T" "$out" "$RUNS"
echo "(j) a flood against another member's publishes..." >&2
scripts/bench_flood.sh "$BIN" "$T" "$out" "$RUNS"
echo "(k) reads beside the writer..." >&2
scripts/bench_readers.sh "$BIN" "$T" "$out" "$RUNS"
echo "(l) content on Ceph..." >&2
scripts/bench_rados.sh "$BIN" "$T" "$out" "$RUNS"
echo "(m) a group of brokers on Ceph..." >&2
scripts/bench_group.sh "$BIN" "$T" "$out" "$RUNS"
echo "(n) keys in hardware..." >&2
scripts/bench_evidence.sh "$BIN" "$T" "$out" "$RUNS"
echo "policy and audit benchmarks..." >&2
"$B/bench_policy" "$out" >/dev/null
DX_BENCH_DXAUDIT=$BIN/dx-audit "$B/bench_audit" "$out" ${DX_BENCH_AUDIT:-1000000 10000000} >/dev/null
printf 'broker peak anonymous RSS, every broker of this run %11.0f MiB  (goal < 64; sampled every 0.2 s)\n' \
  "$(python3 -c "print($PEAK_ANON / 1024)")" >> "$out"
printf '    and peak file-backed RSS (LMDB map pages)      %14.0f MiB\n' \
  "$(python3 -c "print($PEAK_FILE / 1024)")" >> "$out"
cat "$out"
