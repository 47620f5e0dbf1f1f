#!/usr/bin/env bash
# The outbox's promise under crashes during streamed transfers: files of
# several chunks are dropped while the broker is killed (SIGKILL) and
# restarted at random moments, the agent is killed and restarted, and the
# agent is frozen (SIGSTOP) past the broker's transfer timeout. Chunks
# queued on a connection reach a broker that no longer knows their
# transfer; the agent must start such a transfer again, never fail it. At
# the end every file is published exactly once and nothing is in failed/.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
export DX_LISTEN="tcp://127.0.0.1:$(free_port)"
MP=$(free_port)
start_broker --session-timeout 2 --metrics-listen "127.0.0.1:$MP" || exit 1
N=${DX_STREAM_FILES:-16}
OB=$T/outbox
mkdir -p "$OB" "$T/drop"
cat > "$T/agent.yaml" <<EOT
broker: $EP
broker_pub: $T/keys/broker.pub
key: $T/keys/health.key
state: $T/state
timeout: 3
outboxes:
  - dir: $OB
    dataset: health/streams
    classification: internal
    content_type: application/octet-stream
EOT
AGENT=
start_agent() { "$BIN/dx-agent" run --config "$T/agent.yaml" >>"$T/agent.log" 2>&1 & AGENT=$!; }
trap 'kill -KILL $AGENT 2>/dev/null; cleanup' EXIT
sent() { find "$OB/sent" -name '*.receipt' 2>/dev/null | wc -l; }
all_sent() { [ "$(sent)" -ge "$N" ]; }
restart_broker() {
  kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
  start_broker --session-timeout 2 --metrics-listen "127.0.0.1:$MP" || exit 1
}
# a moment inside a transfer: the broker has a publish open (its metrics
# say so), looked at every 10 ms for at most 20 s
in_transfer() {
  /usr/bin/python3 - "$MP" <<'PY'
import sys, time, urllib.request
end = time.time() + 20
while time.time() < end:
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=1).read().decode()
        if any(l.startswith("dx_open_transfers ") and float(l.split()[1]) >= 1 for l in text.splitlines()):
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.01)
sys.exit(1)
PY
}

for i in $(seq "$N"); do
  head -c $(( (RANDOM % 24 + 16) * 1048576 + RANDOM )) /dev/urandom > "$T/drop/f$i.bin"
  mv "$T/drop/f$i.bin" "$OB/f$i.bin"
done
start_agent
kills=0 stops=0 agent_kills=0
for round in $(seq 8); do
  all_sent && break
  in_transfer || break
  sleep "0.0$((RANDOM % 5))"
  case $round in
    3) kill -STOP "$AGENT"; sleep 3.5; kill -CONT "$AGENT"; stops=$((stops + 1)) ;;
    5) kill -KILL "$AGENT"; wait "$AGENT" 2>/dev/null; start_agent; agent_kills=$((agent_kills + 1)) ;;
    *) restart_broker; kills=$((kills + 1)) ;;
  esac
done
echo "# broker killed $kills times, agent frozen $stops, killed $agent_kills, $(sent) sent so far"
if wait_until 240 all_sent; then pass "all $N files published"; else fail "all $N files published" "$(sent) receipts; $(tail -3 "$T/agent.log")"; fi
sleep 1
check "nothing failed" 0 test -z "$(find "$OB/failed" -type f)"
check "nothing left pending" 0 test -z "$(find "$OB/.pending" -type f)"
check "nothing left in the outbox" 0 test -z "$(find "$OB" -maxdepth 1 -type f)"
check "the catalog" 0 agent health info health/streams
check_grep "exactly $N versions in the catalog" "$T/out" "^version: +$N \(of $N\)$"
bad=0
for r in "$OB"/sent/*.receipt; do
  [ "$(sed -n 's/^sha256: //p' "$r")" = "$(sha "${r%.receipt}")" ] || bad=$((bad + 1))
done
if [ "$bad" = 0 ]; then pass "every receipt matches its file"; else fail "every receipt matches its file" "$bad do not"; fi
if grep -q "started again\|start it again" "$T/agent.log"; then pass "a lost transfer was started again, and said so"; else fail "a lost transfer was started again, and said so" "no such line in the agent's log"; fi
kill -TERM "$AGENT"; wait "$AGENT"
check "the log verifies" 0 audit auditor verify
