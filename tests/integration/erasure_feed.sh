#!/usr/bin/env bash
# Day two: an erasure reaches the subscribers. The data office erases a
# version that a subscribing agent holds: the agent removes its copy, leaves
# NAME@V.erased saying when and why, keeps the receipt, and logs it; a
# version erased before the agent fetched it is never fetched.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
export DX_LISTEN="tcp://127.0.0.1:$(free_port)"
start_broker || exit 1
AGENT_PID=
trap '[ -n "$AGENT_PID" ] && kill -KILL $AGENT_PID 2>/dev/null; cleanup' EXIT
INBOX=$T/stats/inbox
F=$INBOX/health/vaccination
stats_subscriber "$T/stats.yaml" "$INBOX"
start_agent() { "$BIN/dx-agent" run --config "$T/stats.yaml" >>"$T/stats.log" 2>&1 & AGENT_PID=$!; }
stop_agent() { kill -TERM $AGENT_PID; wait $AGENT_PID; AGENT_PID=; }
start_agent
sample_csv "$T/v.csv"
check "version 1" 0 agent health publish health/vaccination/q1 "$T/v.csv"
check "version 2" 0 agent health publish health/vaccination/q1 "$T/v.csv"
if wait_until 20 test -f "$F/q1@2.receipt"; then pass "the subscriber holds both"; else fail "the subscriber holds both" "$(tail -3 "$T/stats.log")"; fi

check "the office erases version 1" 0 admin office erase health/vaccination/q1@1 --reason "DPO case 17"
seq=$(sed -n 's/^erased .*(audit record \([0-9]*\))$/\1/p' "$T/out")
if wait_until 20 test -f "$F/q1@1.erased"; then pass "the subscriber is told, and leaves a note"; else fail "the subscriber is told, and leaves a note" "$(tail -3 "$T/stats.log")"; fi
check "its copy is gone" 1 test -e "$F/q1@1"
check "the hidden note of how it came is gone too" 1 test -e "$F/.q1@1.fetched"
check_grep "the note says when" "$F/q1@1.erased" "^erased: 20[0-9-]+T"
# why is the publisher's to know, as info and fetch say it
check_grep "but not why: the subscriber is not the publisher" "$F/q1@1.erased" "^reason: \(told to its publisher only\)$"
if grep -rq "DPO case 17" "$F" "$T/stats.log"; then fail "the reason reaches no subscriber file or log" "$(grep -rl "DPO case 17" "$F" "$T/stats.log")"; else pass "the reason reaches no subscriber file or log"; fi
check_grep "and which record erased it" "$F/q1@1.erased" "^erase_audit_seq: $seq$"
check "the delivery receipt stays, as evidence" 0 test -f "$F/q1@1.receipt"
check "version 2 is untouched" 0 test -f "$F/q1@2"
check_grep "the agent logs it as an event" "$T/stats.log" "inbox-erased inbox=.* dataset=health/vaccination/q1 version=1 "

# erased while the agent was away: never fetched
stop_agent
check "version 3 while the agent is stopped" 0 agent health publish health/vaccination/q1 "$T/v.csv"
check "erased before anyone fetched it" 0 admin office erase health/vaccination/q1@3 --reason "published in error"
start_agent
if wait_until 20 grep -q "inbox-erased-unheld .*version=3" "$T/stats.log"; then pass "the agent learns of it"; else fail "the agent learns of it" "$(tail -3 "$T/stats.log")"; fi
check "and never fetched it" 1 test -e "$F/q1@3"
check "the erasures are in the log" 0 audit auditor query --action erase --format csv
check_grep "both" "$T/out" "health/vaccination/q1,3,"
stop_agent
