#!/usr/bin/env bash
# Content on Ceph (make bench, section l), side by side in one run, on a
# real cluster started here (tests/lib/ceph.sh: one monitor, two BlueStore
# OSDs on sparse files, a pool of size 2):
#   - a 256 MiB dataset published and fetched through dx with content-store
#     rados, and the same through dx with LMDB content;
#   - the same pool's raw throughput (tests/tools/dx-rados-raw: librados
#     alone) at dx's concurrency: 256 writes of 1 MiB with 16 in flight
#     (a publisher's window), 256 reads one at a time (a fetch reads one
#     chunk per credit on its reader) and with 8 in flight;
#   - durable publishes/s of 1 KiB datasets, 200 publishers, with RADOS
#     content as a ratio of LMDB content.
# Medians over RUNS runs.
# Usage: scripts/bench_rados.sh BIN_DIR TOOLS_DIR OUT_FILE RUNS
set -euo pipefail
BIN=$1 T=$2 OUT=$3 RUNS=${4:-3}
source "$(dirname "$0")/bench_lib.sh"
source "$(dirname "$0")/../tests/lib/ceph.sh"
bench_setup rados "$BIN"
ON_EXIT='ceph_stop'
ceph_start "$D/ceph" >"$D/ceph.why" || { echo "bench: no Ceph cluster: $(cat "$D/ceph.why")" >&2; exit 1; }
R=(--content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER")
A() { "$BIN/dx-agent" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key" --timeout 120 "$@"; }
L() { "$T/dx-load" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key"; }
raw() { "$T/dx-rados-raw" "$CEPH_CONF" "$CEPH_POOL" "$CEPH_USER" "$@"; }
now() { date +%s.%N; }
mbs() { python3 -c "print(256 * 1.048576 / ($2 - $1))"; }
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
head -c $((256 << 20)) /dev/urandom > "$D/big.bin"

# one broker at a time, on a fresh data directory each
dx_run() {  # NAME ARGS...: ingest and fetch of the 256 MiB, into ${NAME}_in/_out
  local name=$1 t0 t1 t2
  shift
  rm -rf "$D/data" "$D/state"
  bench_broker --max-dataset 1G "$@"
  for i in $(seq "$RUNS"); do
    t0=$(now); A publish "health/big/$i" "$D/big.bin" --content-type application/octet-stream >/dev/null
    t1=$(now); A fetch "health/big/$i" --purpose operations -o "$D/back.bin" >/dev/null
    t2=$(now)
    cmp -s "$D/big.bin" "$D/back.bin" || { echo "bench: the fetched bytes differ" >&2; exit 1; }
    eval "${name}_in+=($(mbs "$t0" "$t1")) ${name}_out+=($(mbs "$t1" "$t2"))"
  done
  for i in $(seq "$RUNS"); do eval "${name}_small+=($(L publish 200 3 1024 2 | cut -d' ' -f1))"; done
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}
rados_in=() rados_out=() rados_small=() lmdb_in=() lmdb_out=() lmdb_small=()
raw_w=() raw_r1=() raw_r8=()
for _ in $(seq "$RUNS"); do
  read -r w pid < <(raw write 256 1048576 16)
  raw_w+=("$w")
  raw_r1+=("$(DX_RAW_PID=$pid raw read 256 1048576 1)")
  raw_r8+=("$(DX_RAW_PID=$pid raw read 256 1048576 8)")
  DX_RAW_PID=$pid raw remove 256 1048576 16 >/dev/null
done
dx_run rados "${R[@]}"
dx_run lmdb
rw=$(median "${raw_w[@]}") rr1=$(median "${raw_r1[@]}") rr8=$(median "${raw_r8[@]}")
ri=$(median "${rados_in[@]}") ro=$(median "${rados_out[@]}") rs=$(median "${rados_small[@]}")
li=$(median "${lmdb_in[@]}") lo=$(median "${lmdb_out[@]}") ls=$(median "${lmdb_small[@]}")
{
  echo "(l) content on Ceph RADOS (one monitor, two BlueStore OSDs on sparse files, pool size 2, this machine)"
  printf '    raw RADOS write, 1 MiB objects, 16 in flight  %14.0f MB/s (librados alone)\n' "$rw"
  printf '    raw RADOS read, 1 MiB objects, 1 in flight    %14.0f MB/s (8 in flight: %.0f MB/s)\n' "$rr1" "$rr8"
  printf '    dx ingest, 256 MiB, content-store rados       %14.0f MB/s %s x raw write (goal 0.6); LMDB content %.0f MB/s\n' "$ri" "$(ratio "$ri" "$rw")" "$li"
  printf '    dx fetch, 256 MiB, content-store rados        %14.0f MB/s %s x raw read at 1 in flight (goal 0.6), %s x at 8; LMDB content %.0f MB/s\n' "$ro" "$(ratio "$ro" "$rr1")" "$(ratio "$ro" "$rr8")" "$lo"
  printf '    dx publish, 1 KiB, 200 publishers, rados      %14.0f /s   %s x LMDB content (%.0f /s)\n' "$rs" "$(ratio "$rs" "$ls")" "$ls"
  echo "    (runs: ingest rados ${rados_in[*]}; lmdb ${lmdb_in[*]}; raw write ${raw_w[*]})"
  echo "    (runs: fetch rados ${rados_out[*]}; lmdb ${lmdb_out[*]}; raw read ${raw_r1[*]})"
} >> "$OUT"
