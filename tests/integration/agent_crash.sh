#!/usr/bin/env bash
# Nothing lost, nothing twice: 1,000 files dropped into an outbox while the
# broker is killed (SIGKILL) and restarted twice and the agent once. At the
# end the catalog holds exactly 1,000 versions and sent/ 1,000 receipts,
# each naming a different version.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
export DX_LISTEN="tcp://127.0.0.1:$(free_port)"
start_broker || exit 1
N=${DX_CRASH_FILES:-1000}
OB=$T/outbox
mkdir -p "$OB" "$T/drop"
cat > "$T/agent.yaml" <<EOF
broker: $EP
broker_pub: $T/keys/broker.pub
key: $T/keys/health.key
state: $T/state
timeout: 2
outboxes:
  - dir: $OB
    dataset: health/bulk
    classification: internal
    content_type: text/csv
EOF
AGENT=
start_agent() { "$BIN/dx-agent" run --config "$T/agent.yaml" >>"$T/agent.log" 2>&1 & AGENT=$!; }
trap 'kill -KILL $AGENT 2>/dev/null; cleanup' EXIT
sent() { find "$OB/sent" -name '*.receipt' 2>/dev/null | wc -l; }
at_least() { [ "$(sent)" -ge "$1" ]; }
kill_broker() {
  kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
  sleep 0.5
  start_broker || exit 1
}

start_agent
# the files arrive while all this happens: written elsewhere, renamed in
( for i in $(seq "$N"); do
    printf 'id,value\n%d,%s\n' "$i" "$RANDOM" > "$T/drop/f$i.csv"
    mv "$T/drop/f$i.csv" "$OB/f$i.csv"
    [ $((i % 50)) = 0 ] && sleep 0.05
  done ) &
DROPPER=$!
wait_until 60 at_least $((N / 5)) || true
kill_broker
wait_until 60 at_least $((N / 2)) || true
kill -KILL "$AGENT"; wait "$AGENT" 2>/dev/null
start_agent
wait_until 60 at_least $((N * 7 / 10)) || true
kill_broker
wait "$DROPPER"
if wait_until 240 at_least "$N"; then pass "all $N files published"; else fail "all $N files published" "$(sent) receipts; $(tail -2 "$T/agent.log")"; fi
sleep 1
check "nothing left in the outbox" 0 test -z "$(find "$OB" -maxdepth 1 -type f)"
check "nothing left pending" 0 test -z "$(find "$OB/.pending" -type f)"
check "nothing failed" 0 test -z "$(find "$OB/failed" -type f)"
check "no temporary file left behind" 0 test -z "$(find "$OB" -name '.*.tmp-*')"
n=$(find "$OB/sent" -type f ! -name '*.receipt' ! -name '.*' | wc -l)
if [ "$n" = "$N" ]; then pass "sent/ holds the $N files"; else fail "sent/ holds the $N files" "$n"; fi
versions=$(sed -n 's/^version: //p' "$OB"/sent/*.receipt | sort -n | uniq | wc -l)
if [ "$versions" = "$N" ]; then pass "$N receipts, $N different versions"; else fail "$N receipts, $N different versions" "$versions different"; fi
check "the catalog" 0 agent health info health/bulk
check_grep "exactly $N versions in the catalog" "$T/out" "^version: +$N \(of $N\)$"
# each file's receipt is for its own content
bad=0
for r in $(ls "$OB"/sent/*.receipt | shuf -n 50 --random-source=/dev/zero); do
  f=${r%.receipt}
  [ "$(sed -n 's/^sha256: //p' "$r")" = "$(sha "$f")" ] || bad=$((bad + 1))
done
if [ "$bad" = 0 ]; then pass "receipts match their files"; else fail "receipts match their files" "$bad do not"; fi
kill -TERM "$AGENT"; wait "$AGENT"
runs=0
for f in "$T"/broker.*.log; do grep -q "published member" "$f" && runs=$((runs + 1)); done
if [ "$runs" = 3 ]; then pass "each of the three broker runs took some"; else fail "each of the three broker runs took some" "$runs"; fi
check "the log verifies" 0 audit auditor verify
