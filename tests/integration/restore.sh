#!/usr/bin/env bash
# Day two: the broker is restored from a backup under a subscribing agent.
# The agent must stop with one line that names the situation and the
# command that resolves it, skip nothing meanwhile, and after `dx-agent
# resync` fetch again every version whose bytes differ from what it holds,
# keeping the old file beside the new one.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
export DX_LISTEN="tcp://127.0.0.1:$(free_port)"
start_broker || exit 1
AGENT_PID=
trap '[ -n "$AGENT_PID" ] && kill -KILL $AGENT_PID 2>/dev/null; cleanup' EXIT

INBOX=$T/stats/inbox
stats_subscriber "$T/stats.yaml" "$INBOX" "log_format: json"
"$BIN/dx-agent" run --config "$T/stats.yaml" >>"$T/stats.log" 2>&1 &
AGENT_PID=$!
F=$INBOX/health/vaccination

sample_csv "$T/v1.csv"
printf 'national_id,name,region,vaccinated\n2001,A,north,yes\n' > "$T/a.csv"
printf 'national_id,name,region,vaccinated\n3001,B,south,no\n' > "$T/b.csv"
check "version 1 published" 0 agent health publish health/vaccination/q1 "$T/v1.csv"
if wait_until 20 test -f "$F/q1@1.receipt"; then pass "the subscriber has version 1"; else fail "the subscriber has version 1" "$(tail -3 "$T/stats.log")"; fi
check "backup" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/backup"
check "version 2 published after the backup" 0 agent health publish health/vaccination/q1 "$T/a.csv"
if wait_until 20 test -f "$F/q1@2.receipt"; then pass "the subscriber has version 2"; else fail "the subscriber has version 2" "$(tail -3 "$T/stats.log")"; fi
held=$(sha "$F/q1@2")

# the disk dies; the broker comes back from the backup, on the same port
stop_broker
mv "$T/data" "$T/lost"; cp -a "$T/backup" "$T/data"
start_broker || exit 1
if wait_until 20 grep -q "restored from a backup" "$T/stats.log"; then pass "the agent says the broker was restored"; else fail "the agent says the broker was restored" "$(tail -3 "$T/stats.log")"; fi
check_grep "and names the command that resolves it" "$T/stats.log" "run 'dx-agent resync'"
check_grep "and that the subscriptions stopped" "$T/stats.log" "subscriptions and outboxes stopped"

# the publisher meets the same: its receipt's log forks from what it saw
check "a publish to the restored broker is committed but not witnessed (exit 4)" 4 agent health publish health/vaccination/q1 "$T/b.csv"
check_grep "the publisher is told why and what to run" "$T/err" "restored from a backup.*dx-agent resync"
check "the publisher accepts the restored log" 0 agent health resync
check_grep "resync says what it accepted and where the old head is kept" "$T/out" "accepted the broker's log of [0-9]+ records .* kept in .*heads/[0-9a-f]{16}\.before-"
check "the publisher's next publish witnesses again" 0 agent health publish health/vaccination/q2 "$T/v1.csv"
sleep 2
if [ "$(sha "$F/q1@2")" = "$held" ] && [ ! -e "$F/q1@3" ] && [ ! -e "$INBOX/health/vaccination/q2@1" ]; then
  pass "while stopped the subscriber fetched and overwrote nothing"
else
  fail "while stopped the subscriber fetched and overwrote nothing" "$(ls "$F")"
fi
n=$(grep -c "subscriptions and outboxes stopped" "$T/stats.log")
if [ "$n" = 1 ]; then pass "the stop is said once"; else fail "the stop is said once" "$n lines"; fi

# the data office confirms the restore; the department resyncs
check "the subscriber accepts the restored log" 0 "$BIN/dx-agent" --config "$T/stats.yaml" resync
check_grep "resync counts the subscriptions to re-check" "$T/out" "1 subscription will read the feed from the start"
if wait_until 30 grep -q "re-checked against the broker's log" "$T/stats.log"; then pass "the subscriber re-checks what it holds"; else fail "the subscriber re-checks what it holds" "$(tail -5 "$T/stats.log")"; fi
check_grep "the restored broker's version 2 replaced the one held" "$T/stats.log" "q1@2 from the broker differs from the file held .* kept as q1@2.replaced-"
check_grep "version 1, the same bytes, stays" "$T/stats.log" "q1@1 re-checked: the broker's bytes are the ones held"
aside=$(ls "$F" | grep -E '^q1@2\.replaced-[0-9T]*Z$' | head -1)
if [ -n "$aside" ] && [ "$(sha "$F/$aside")" = "$held" ]; then pass "the old version 2 is kept beside, unchanged"; else fail "the old version 2 is kept beside, unchanged" "$(ls "$F")"; fi
check "and its receipt with it" 0 test -f "$F/$aside.receipt"
check "the new version 2 is the restored broker's" 0 cmp "$F/q1@2" <(cut -d, -f2- "$T/b.csv")
check_grep "the new version 2 has its own receipt" "$F/q1@2.receipt" "^sha256: $(cut -d, -f2- "$T/b.csv" | sha256sum | cut -d' ' -f1)$"
if wait_until 20 test -f "$INBOX/health/vaccination/q2@1.receipt"; then pass "what was published after the restore is delivered"; else fail "what was published after the restore is delivered" "$(tail -3 "$T/stats.log")"; fi
check "a second resync has nothing to do" 0 "$BIN/dx-agent" --config "$T/stats.yaml" resync
check_grep "and says so" "$T/out" "nothing to resync"
check "the restored log verifies" 0 audit auditor verify
check "the agent's log (log_format: json) is one JSON event per line" 0 /usr/bin/python3 - "$T/stats.log" <<'PY'
import json, re, sys
events = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) == {"time", "level", "event", "fields"}, o
    assert re.fullmatch(r"[a-z][a-z0-9-]{1,40}", o["event"]), o
    events.add(o["event"])
for want in ("agent-started", "broker-log-rolled-back", "inbox-replaced", "inbox-delivered", "inbox-recheck-done"):
    assert want in events, f"no {want} in {sorted(events)}"
PY
