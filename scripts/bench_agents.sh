#!/usr/bin/env bash
# The agent services under load (make bench, section h), two figures:
#   - outbox to inbox: a 1 KiB CSV renamed into health's outbox until its
#     filtered view is in statistics' inbox (both agents running as
#     services); p50 and p99 over DX_BENCH_LATENCY (default 200) files
#     dropped one at a time, medians over RUNS runs
#   - delivered versions per second with 50 subscribers (50 members, each
#     its own agent service): 40 versions dropped at once, until all 2,000
#     deliveries (file and delivery receipt) are in the 50 inboxes
# Usage: scripts/bench_agents.sh BIN_DIR OUT_FILE RUNS
set -euo pipefail
BIN=$1 OUT=$2 RUNS=${3:-3}
D=$(mktemp -d /tmp/dx-bench-agents.XXXXXX)
PIDS=()
finish() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$D"
}
trap finish EXIT
SUBS=50 VERSIONS=40
"$(dirname "$0")/example-exchange.sh" "$D" "$BIN" >/dev/null
members=() entries=""
for i in $(seq -w 1 $SUBS); do
  id=sub$i
  members+=("$id")
  "$BIN/dx-admin" keygen "$id" --out "$D/keys" >/dev/null 2>&1
  sk=$(sed -n 's/^sign_key: *//p' "$D/keys/$id.pub") tk=$(sed -n 's/^transport_key: *//p' "$D/keys/$id.pub")
  entries+=$(printf '\n  - id: %s\n    name: Subscriber %s\n    roles: [consumer]\n    sign_key: %s\n    transport_key: %s\n' "$id" "$i" "$sk" "$tk")
done
printf '%s\n' "$entries" >> "$D/policies/members.yaml"
list=$(IFS=,; echo "${members[*]}")
cat >> "$D/policies/rules.yaml" <<EOF

  - id: bench-subscribers
    effect: allow
    actions: [read, list]
    members: [$list]
    datasets: ["health/vaccination/fanout/**"]
    purposes: [bench]
    fields:
      exclude: [national_id]
    max_classification: restricted
EOF
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
EP=tcp://127.0.0.1:$port
"$BIN/dx-broker" --listen "$EP" --data "$D/data" --policies "$D/policies" --key "$D/keys/broker.key" \
  --log-level warn >"$D/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do ss -ltn 2>/dev/null | grep -q ":$port " && break; sleep 0.1; done

service() { # service WHO SECTION-YAML: runs an agent service for WHO
  local who=$1
  mkdir -p "$D/$who"
  { printf 'broker: %s\nbroker_pub: %s\nkey: %s\nstate: %s\n' "$EP" "$D/keys/broker.pub" "$D/keys/$who.key" "$D/$who/state"
    cat; } > "$D/$who/agent.yaml"
  DX_LOG_LEVEL=warn "$BIN/dx-agent" run --config "$D/$who/agent.yaml" >>"$D/$who/log" 2>&1 &
  PIDS+=($!)
}
service health <<EOF
outboxes:
  - dir: $D/health/latency
    dataset: health/vaccination/latency
    classification: restricted
    content_type: text/csv
  - dir: $D/health/fanout
    dataset: health/vaccination/fanout/{file}
    classification: restricted
    content_type: text/csv
EOF
service statistics <<EOF
subscriptions:
  - datasets: ["health/vaccination/latency"]
    purpose: statistics
    inbox: $D/statistics/inbox
EOF
for id in "${members[@]}"; do
  service "$id" <<EOF
subscriptions:
  - datasets: ["health/vaccination/fanout/**"]
    purpose: bench
    inbox: $D/$id/inbox
EOF
done
mkdir -p "$D/health/latency" "$D/health/fanout"
sleep 2

# outbox -> inbox, one file at a time: the time from the rename until the
# view is in the inbox, polled every 0.2 ms
latency() {
  python3 - "$D" "$1" "$2" <<'EOF'
import os, statistics, sys, time
d, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
row = "national_id,name,region,vaccinated\n" + "".join("%d,Person %04d,north,yes\n" % (100000 + i, i) for i in range(30))
row = row[:1024]
got = []
for v in range(first, first + n):
    tmp = os.path.join(d, "health", "lat.tmp")
    with open(tmp, "w") as f:
        f.write(row)
    target = os.path.join(d, "statistics", "inbox", "health", "vaccination", "latency@%d.receipt" % v)
    t0 = time.monotonic()
    os.rename(tmp, os.path.join(d, "health", "latency", "f%d.csv" % v))
    deadline = t0 + 20
    while not os.path.exists(target):
        if time.monotonic() > deadline:
            sys.exit("bench: version %d never reached the inbox" % v)
        time.sleep(0.0002)
    got.append((time.monotonic() - t0) * 1000)
got.sort()
print("%.2f %.2f" % (statistics.median(got), got[int(len(got) * 0.99) - 1]))
EOF
}
N=${DX_BENCH_LATENCY:-200}
l50=() l99=() next=1
for _ in $(seq "$RUNS"); do
  read -r a b < <(latency "$next" "$N")
  l50+=("$a") l99+=("$b")
  next=$((next + N))
done

# 50 subscribers: VERSIONS files at once, until every inbox has them all
fanout() {
  local run=$1 t0 t1
  t0=$(date +%s.%N)
  for v in $(seq $VERSIONS); do
    printf 'national_id,name,region,vaccinated\n%d,P,north,yes\n' "$v" > "$D/health/fan.tmp"
    mv "$D/health/fan.tmp" "$D/health/fanout/r$run-$v.csv"
  done
  local want=$((SUBS * VERSIONS * run))
  for _ in $(seq 6000); do
    [ "$(find "$D"/sub*/inbox -name '*.receipt' | wc -l)" -ge "$want" ] && break
    sleep 0.05
  done
  t1=$(date +%s.%N)
  [ "$(find "$D"/sub*/inbox -name '*.receipt' | wc -l)" -ge "$want" ] || { echo "bench: fan-out incomplete" >&2; exit 1; }
  python3 -c "print($SUBS * $VERSIONS / ($t1 - $t0))"
}
f=()
for r in $(seq "$RUNS"); do f+=("$(fanout "$r")"); done
median() { python3 -c 'import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
{
  printf '(h) agent services: outbox -> filtered view in an inbox, 1 KiB   p50 %.2f ms, p99 %.2f ms (%d files one at a time)\n' \
    "$(median "${l50[@]}")" "$(median "${l99[@]}")" "$N"
  printf '    agent services: delivered versions, 50 subscribers    %10.0f /s (%d versions x 50 inboxes, file + delivery receipt)\n' \
    "$(median "${f[@]}")" "$VERSIONS"
} >> "$OUT"
