#!/usr/bin/env bash
# Ceph trouble under a broker whose content is in a pool of size 2 (one
# monitor, two OSDs: tests/lib/ceph.sh), as an operator meets it:
#   - an OSD killed during an ingest: no interruption;
#   - the monitor stopped: the running broker serves or fails clearly
#     within its timeout, and a broker started meanwhile fails in one line;
#   - both OSDs down (the pool below its min_size): publishes and fetches
#     fail within the timeout with "content store unavailable", nothing
#     half-written becomes visible, the broker stays up, status and metrics
#     say so; when the OSDs return, service resumes without a restart;
#   - SIGKILL during large ingests and during an erasure: the offline
#     check agrees (what was staged is known), and the next start removes
#     every object of what never committed.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/ceph.sh"
PUB_PIDS=()
trap 'for p in "${PUB_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; ceph_stop; cleanup' EXIT
if ceph_start "$T/ceph" > "$T/why"; then pass "a Ceph cluster for the content"; else fail "a Ceph cluster for the content" "$(cat "$T/why")"; exit 0; fi
setup_exchange
TIMEOUT=5
R=(--content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER" --rados-timeout $TIMEOUT)
objects() { ceph_rados ls 2>/dev/null | grep -c '^dx\.'; }
objects_are() { [ "$(objects)" = "$1" ]; }
content_check() { "$BIN/dx-admin" content check --data "$T/data" --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"; }
# a bounded publish: its exit status, its time in seconds in $took
timed() { local t0; t0=$(date +%s%N); "$@" >"$T/out" 2>"$T/err"; local rc=$?; took=$(( ($(date +%s%N) - t0) / 1000000000 )); return $rc; }
port=$(free_port)
start_broker "${R[@]}" --metrics-listen "127.0.0.1:$port" || exit 1
head -c $((48 << 20)) /dev/urandom > "$T/big.bin"
sample_csv "$T/v.csv"

# --- an OSD killed during an ingest ---
agent health publish health/vaccination/during-osd "$T/big.bin" --content-type application/octet-stream >"$T/osd.out" 2>"$T/osd.err" &
pub=$!
sleep 0.5
ceph_kill_osd 1
wait $pub
rc=$?
if [ $rc = 0 ]; then pass "an ingest goes on with one OSD killed"; else fail "an ingest goes on with one OSD killed" "exit $rc: $(cat "$T/osd.err")"; fi
check "its content is whole" 0 agent health fetch health/vaccination/during-osd --purpose operations -o "$T/osd.bin"
check "byte for byte" 0 cmp -s "$T/big.bin" "$T/osd.bin"
check "and small publishes too" 0 agent health publish health/vaccination/one-osd "$T/v.csv"
ceph_start_osd 1

# --- the monitor stopped ---
ceph_stop_mon
timed agent health publish health/vaccination/no-mon "$T/v.csv"
rc=$?
if [ $rc = 0 ] || grep -q "content store unavailable" "$T/err"; then pass "with the monitor down, a publish is served or fails clearly"; else fail "with the monitor down, a publish is served or fails clearly" "exit $rc: $(cat "$T/err")"; fi
check "within the timeout" 0 test "$took" -le $((TIMEOUT + 5))
check "the broker stays up" 0 kill -0 "$BROKER_PID"
t0=$(date +%s)
check "a broker started while the monitor is down fails" 1 "$BIN/dx-broker" --listen tcp://127.0.0.1:1 --data "$T/other" --policies "$T/policies" --key "$T/keys/broker.key" "${R[@]}"
check_grep "saying the content store is unavailable" "$T/err" "^dx-broker: content store unavailable: no Ceph monitor of .* answered within $TIMEOUT s$"
check "in one line" 0 test "$(wc -l < "$T/err")" = 1
check "within its timeout" 0 test $(( $(date +%s) - t0 )) -le $((TIMEOUT + 5))
check "having touched nothing" 1 test -e "$T/other"
if ceph_start_mon > "$T/why"; then pass "the monitor comes back"; else fail "the monitor comes back" "$(cat "$T/why")"; fi
publish_ok() { agent health publish health/vaccination/mon-back "$T/v.csv" >/dev/null 2>&1; }
if wait_until 60 publish_ok; then pass "publishes are served after it"; else fail "publishes are served after it" "still failing"; fi

# --- the pool below its min_size: both OSDs down ---
wait_until 30 ceph_rados stat dx.none >/dev/null 2>&1  # the OSD back up meanwhile
versions_before=$(agent health list 2>/dev/null | wc -l)
ceph_kill_osd 0
ceph_kill_osd 1
timed agent health publish health/vaccination/no-osd "$T/big.bin" --content-type application/octet-stream
rc=$?
if [ $rc = 1 ] && grep -q "^dx-agent: .*content store unavailable: " "$T/err"; then pass "a streamed publish fails: content store unavailable"; else fail "a streamed publish fails: content store unavailable" "exit $rc: $(cat "$T/err")"; fi
check "in one line" 0 test "$(wc -l < "$T/err")" = 1
check "within the timeout" 0 test "$took" -le $((TIMEOUT + 10))
timed agent health publish health/vaccination/no-osd-small "$T/v.csv"
rc=$?
if [ $rc = 1 ] && grep -q "content store unavailable: " "$T/err"; then pass "an inline publish fails the same way"; else fail "an inline publish fails the same way" "exit $rc: $(cat "$T/err")"; fi
timed agent health fetch health/vaccination/during-osd --purpose operations -o "$T/no.bin"
rc=$?
if [ $rc = 1 ] && grep -q "content store unavailable: " "$T/err"; then pass "a fetch fails the same way"; else fail "a fetch fails the same way" "exit $rc: $(cat "$T/err")"; fi
check "within the timeout" 0 test "$took" -le $((TIMEOUT + 10))
check "the broker stays up" 0 kill -0 "$BROKER_PID"
check "nothing half-written became visible" 0 test "$(agent health list 2>/dev/null | wc -l)" = "$versions_before"
check "status says it is unhealthy" 1 admin office status
check_grep "because of the content store" "$T/out" "^status: +unhealthy: the content store does not answer"
check_grep "since when" "$T/out" "UNAVAILABLE since 20[0-9-]+T[0-9:.]+Z: "
check_grep "and what to do" "$T/out" "check the cluster \(ceph -s\); the broker resumes by itself"
curl -s "http://127.0.0.1:$port/metrics" > "$T/metrics"
check_grep "metrics: the store is down" "$T/metrics" '^dx_content_store_up\{store="rados"\} 0$'
check_grep "metrics: failed writes" "$T/metrics" '^dx_rados_ops_total\{kind="write",result="error"\} [1-9]'
check_grep "the log says why" "$BROKER_LOG" "content store unavailable"
ceph_start_osd 0
ceph_start_osd 1
publish_back() { agent health publish health/vaccination/osd-back "$T/big.bin" --content-type application/octet-stream >/dev/null 2>&1; }
if wait_until 90 publish_back; then pass "service resumes without a restart"; else fail "service resumes without a restart" "still failing"; fi
check "the fetch too" 0 agent health fetch health/vaccination/osd-back --purpose operations -o "$T/back.bin"
check "whole" 0 cmp -s "$T/big.bin" "$T/back.bin"
healthy() { admin office status >/dev/null 2>&1; }
if wait_until 30 healthy; then pass "status is healthy again"; else fail "status is healthy again" "$(admin office status 2>&1 | head -3)"; fi
check "what failed left nothing: catalog and pool agree" 0 content_check
echo "# broker RSS after the outage: $(( $(awk '/^VmRSS/ {print $2}' /proc/$BROKER_PID/status) / 1024 )) MiB"

# --- SIGKILL during large ingests, then during an erasure ---
# what the outage left in the trash goes first (in steps, a few seconds)
trash_empty() { content_check > "$T/cc" 2>&1 && grep -q "(the trash): 0 blobs" "$T/cc"; }
if wait_until 60 trash_empty; then pass "the trash the outage left is emptied"; else fail "the trash the outage left is emptied" "$(cat "$T/cc")"; fi
committed=$(objects)
for i in 1 2 3; do
  agent health publish "health/vaccination/killed-$i" "$T/big.bin" --content-type application/octet-stream >/dev/null 2>&1 &
  PUB_PIDS+=($!)
done
grows() { [ "$(objects)" -gt $((committed + 8)) ]; }
wait_until 30 grows
kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
for p in "${PUB_PIDS[@]}"; do wait "$p" 2>/dev/null; done
PUB_PIDS=()
left=$(objects)
check "objects of the interrupted ingests are in the pool" 0 test "$left" -gt "$committed"
check "the offline check agrees: they are known as staged" 0 content_check
check_grep "and counted" "$T/out" "staged \(transfers not committed\): [1-3], [1-9][0-9]* objects"
start_broker "${R[@]}" || exit 1
# what the catalog holds now (an ingest may have committed before the kill)
live() { content_check > "$T/cc" 2>&1; sed -n 's/.*every chunk present (\([0-9]*\) objects.*/\1/p' "$T/cc"; }
only_live() { local n; n=$(live); [ -n "$n" ] && [ "$(objects)" = "$n" ]; }
if wait_until 30 only_live; then pass "the next start removes every object of what never committed"; else fail "the next start removes every object of what never committed" "$(objects) objects; $(cat "$T/cc")"; fi
check_grep "what was staged is gone" "$T/cc" "staged \(transfers not committed\): 0,"
check "the committed versions are intact" 0 agent health fetch health/vaccination/during-osd --purpose operations -o "$T/after.bin"
check "byte for byte" 0 cmp -s "$T/big.bin" "$T/after.bin"
admin office erase health/vaccination/osd-back@1 --reason "erased, then a crash" >/dev/null 2>&1 &
eraser=$!
erased() { agent health info health/vaccination/osd-back 2>/dev/null | grep -q '^erased:'; }
wait_until 20 erased
kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
wait $eraser 2>/dev/null
check "after a crash behind an erasure, they agree" 0 content_check
start_broker "${R[@]}" || exit 1
if wait_until 30 only_live; then pass "the erased version's objects are removed after the restart"; else fail "the erased version's objects are removed after the restart" "$(objects) objects; $(cat "$T/cc")"; fi
check "the broker stops cleanly" 0 stop_broker
check "they agree, with nothing left to remove" 0 content_check
check_grep "an empty trash" "$T/out" "to remove \(the trash\): 0 blobs"
check_grep "nothing staged" "$T/out" "staged \(transfers not committed\): 0,"
check_grep "one version erased" "$T/out" "erased versions: 1$"
