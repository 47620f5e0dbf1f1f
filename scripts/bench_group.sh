#!/usr/bin/env bash
# A group of brokers on Ceph (make bench, section m), side by side in one
# run, on a real cluster started here (tests/lib/ceph.sh):
#   - durable publishes/s of 1 KiB datasets (200 publishers) and publish
#     latency p50/p99 at a fixed 1,000/s, against a broker alone with its
#     content in the pool, and against the active of a group of two (every
#     commit appended to the journal in the same pool first);
#   - failover: SIGKILL the active, time to the first publish the new
#     active acknowledges (a client given both endpoints, publishing in a
#     loop), five times, the killed broker started again as a standby
#     between runs.
# Medians over RUNS runs (failover: over 5).
# Usage: scripts/bench_group.sh BIN_DIR TOOLS_DIR OUT_FILE RUNS
set -euo pipefail
BIN=$1 T=$2 OUT=$3 RUNS=${4:-3}
source "$(dirname "$0")/bench_lib.sh"
source "$(dirname "$0")/../tests/lib/ceph.sh"
bench_setup group "$BIN"
declare -A GP PORT
ON_EXIT='for p in "${GP[@]}"; do kill -KILL "$p" 2>/dev/null; done; ceph_stop'
ceph_start "$D/ceph" >"$D/ceph.why" || { echo "bench: no Ceph cluster: $(cat "$D/ceph.why")" >&2; exit 1; }
LEASE=${DX_BENCH_LEASE:-10}   # the default lease
R=(--content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER")
L() { "$T/dx-load" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key"; }
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
sample() {  # NAME: publishes/s and latency at 1,000/s into NAME_rate, NAME_p50, NAME_p99
  local p50 p99
  for _ in $(seq "$RUNS"); do
    eval "$1_rate+=($(L publish 200 3 1024 2 | cut -d' ' -f1))"
    read -r p50 p99 _ < <(L latency 1000 4 1024)
    eval "$1_p50+=($p50) $1_p99+=($p99)"
  done
}
alone_rate=() alone_p50=() alone_p99=() group_rate=() group_p50=() group_p99=() failover=()

# a broker alone, its content in the pool
bench_broker "${R[@]}"
sample alone
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=

# a group of two on the same pool
for n in a b; do PORT[$n]=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'); done
member() {
  "$BIN/dx-broker" --listen "tcp://127.0.0.1:${PORT[$1]}" --data "$D/$1" --policies "$D/policies" \
    --key "$D/keys/broker.key" "${R[@]}" --journal rados --lease $LEASE >>"$D/$1.log" 2>&1 &
  GP[$1]=$!
}
status_of() {
  "$BIN/dx-admin" status --broker "tcp://127.0.0.1:${PORT[$1]}" --broker-pub "$D/keys/broker.pub" \
    --key "$D/keys/office.key" --timeout 3 2>/dev/null || true
}
wait_for() {  # NAME PATTERN: at most 60 s
  for _ in $(seq 300); do status_of "$1" | grep -q "$2" && return 0; sleep 0.2; done
  echo "bench: broker $1 never showed '$2': $(tail -2 "$D/$1.log")" >&2
  exit 1
}
member a
wait_for a "^role: *active"
member b
wait_for b "; 0 behind$"
EP="tcp://127.0.0.1:${PORT[a]}"
sample group
EP="tcp://127.0.0.1:${PORT[a]},tcp://127.0.0.1:${PORT[b]}"
active=a standby=b
for i in 1 2 3 4 5; do
  wait_for $standby "; 0 behind$"
  kill -KILL "${GP[$active]}"
  wait "${GP[$active]}" 2>/dev/null || true
  t0=$(date +%s%N)
  until "$BIN/dx-agent" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/health.key" \
      --timeout 2 publish "health/failover/$i" "$D/keys/health.pub" >/dev/null 2>&1; do
    [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 60 ] || { echo "bench: no failover within 60 s" >&2; exit 1; }
  done
  failover+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
  member $active
  wait_for $active "^role: *standby"
  tmp=$active active=$standby standby=$tmp
done
ar=$(median "${alone_rate[@]}") a50=$(median "${alone_p50[@]}") a99=$(median "${alone_p99[@]}")
gr=$(median "${group_rate[@]}") g50=$(median "${group_p50[@]}") g99=$(median "${group_p99[@]}")
fo=$(median "${failover[@]}")
{
  echo "(m) a group of two brokers on Ceph (journal rados; the cluster of (l); lease $LEASE s)"
  printf '    publish, 1 KiB, 200 publishers: group active  %14.0f /s   %s x a broker alone on the same pool (%.0f /s; goal 0.5)\n' "$gr" "$(ratio "$gr" "$ar")" "$ar"
  printf '    publish latency at 1,000/s: group active      p50 %.2f ms, p99 %.2f ms (goal p99 <= 10); alone p50 %.2f, p99 %.2f\n' "$g50" "$g99" "$a50" "$a99"
  printf '    failover, SIGKILL to the first publish acknowledged by the new active  %.0f ms median of 5 (goal: lease + 2 s = %d ms)\n' "$fo" $(( (LEASE + 2) * 1000 ))
  echo "    (runs: group ${group_rate[*]}; alone ${alone_rate[*]}; failover ms ${failover[*]})"
} >> "$OUT"
