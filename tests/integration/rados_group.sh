#!/usr/bin/env bash
# A group of three brokers on one real Ceph cluster (tests/lib/ceph.sh),
# each with its own data directory, as an operator meets it:
#   - one active, two standbys; status says which; a standby serves
#     nothing and names the active; clients given every endpoint find it;
#   - failover under load: 20 publishers, SIGKILL the active: a standby
#     serves within the lease and a few seconds, every acknowledged publish
#     is there with its record, the agents' witnessed heads extend, and the
#     log verifies;
#   - split brain: SIGSTOP the active until a standby took over and
#     acknowledged writes, SIGCONT it: it acknowledges nothing more, says so
#     in one line and exits; one history, nothing acknowledged lost;
#   - the killed broker comes back as a standby and catches up; a standby
#     joins from a backup of the active; a clean stop hands over at once;
#   - a changed journal entry stops a standby with one line;
#   - one OSD lost: service goes on; Ceph away: the active stops
#     acknowledging with clear errors, and resumes when it returns.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/ceph.sh"
source "$(dirname "$0")/../lib/group.sh"
LOADERS=()
stop_all() {
  local p
  for p in "${LOADERS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${PID[@]}"; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
}
trap 'stop_all; ceph_stop; cleanup' EXIT
if ceph_start "$T/ceph" > "$T/why"; then pass "a Ceph cluster for the group"; else fail "a Ceph cluster for the group" "$(cat "$T/why")"; exit 0; fi
setup_exchange
sample_csv "$T/v.csv"
LEASE=3
G=(--content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"
   --rados-timeout 5 --journal rados --lease $LEASE)
for n in a b c d; do PORT[$n]=$(free_port); done

alive() { kill -0 "${PID[$1]}" 2>/dev/null; }
# publish NAME [EP]: one publish by health, bounded
publish() {
  "$BIN/dx-agent" --broker "${2:-$EP}" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" \
    --timeout 8 publish "$1" "$T/v.csv" >"$T/pub.out" 2>"$T/pub.err"
}

member a
if wait_until 30 role_is a active; then pass "the first broker takes the lease: role: active"; else fail "the first broker takes the lease: role: active" "$(tail -3 "$T/a.log")"; fi
MB=$(free_port)
member b --metrics-listen "127.0.0.1:$MB"
member c
if wait_until 30 role_is b standby && wait_until 30 role_is c standby; then pass "the others are standbys: role: standby"; else fail "the others are standbys: role: standby" "$(tail -3 "$T/b.log")"; fi
EP="$(ep b),$(ep c),$(ep a)"
check "a client given every endpoint finds the active" 0 publish health/group/first
check_grep "and its receipt comes back" "$T/pub.out" "^published health/group/first version 1"
check "a client that knows only a standby is refused" 5 publish health/group/refused "$(ep b)"
check_grep "in one line naming the active" "$T/pub.err" "^dx-agent: standby; the active broker is $(ep a)$"
check "a standby gives no listing" 5 "$BIN/dx-agent" --broker "$(ep c)" --broker-pub "$T/keys/broker.pub" --key "$T/keys/statistics.key" --timeout 5 list
if ! grep -q "health/group" "$T/out"; then pass "not a name"; else fail "not a name" "$(cat "$T/out")"; fi
if wait_until 20 caught_up b; then pass "a standby applies the journal as it grows"; else fail "a standby applies the journal as it grows" "$(status_of b)"; fi
status_of b > "$T/st.b"
check_grep "its status names the active" "$T/st.b" "^active broker: +$(ep a)$"
curl -s --max-time 5 "http://127.0.0.1:$MB/metrics" > "$T/m.b"
check_grep "a standby's metrics give its role" "$T/m.b" '^dx_group_role\{role="standby"\} 1$'
check_grep "its position" "$T/m.b" '^dx_journal_position [1-9][0-9]*$'
check_grep "and its lag" "$T/m.b" '^dx_journal_lag_entries 0$'

# --- failover under load ---
# each publisher publishes its own names in turn, retrying one until it is
# acknowledged; it notes what was acknowledged and any witness refusal
rm -f "$T"/acked.* "$T"/witness.*
loader() {
  local k=$1 i=1 rc
  export DX_STATE_DIR=$T/state.$k
  while [ $i -le 8 ] && [ ! -e "$T/stop-load" ]; do
    "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" \
      --timeout 8 publish "health/load/p$k-$i" "$T/v.csv" >/dev/null 2>"$T/loader.$k.err"
    rc=$?
    if [ $rc = 0 ]; then echo "health/load/p$k-$i" >> "$T/acked.$k"; i=$((i + 1)); sleep 0.1
    elif [ $rc = 4 ]; then cat "$T/loader.$k.err" >> "$T/witness.$k"; sleep 0.2
    else sleep 0.2; fi
  done
}
for k in $(seq 20); do loader "$k" & LOADERS+=($!); done
acked() { cat "$T"/acked.* 2>/dev/null | wc -l; }
acked_40() { [ "$(acked)" -ge 40 ]; }
wait_until 60 acked_40
before=$(acked)
auditor() { "$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" --timeout 10 "$@"; }
auditor head > "$T/before.head"
kill -KILL "${PID[a]}"
killed=$(date +%s%N)
first_after() { [ "$(acked)" -gt "$before" ] && { [ -n "${took_ms:-}" ] || took_ms=$(( ($(date +%s%N) - killed) / 1000000 )); }; }
took_ms=
wait_until $((LEASE + 30)) first_after
for p in "${LOADERS[@]}"; do wait "$p"; done
LOADERS=()
if [ -n "$took_ms" ] && [ "$took_ms" -le $(( (LEASE + 8) * 1000 )) ]; then pass "a standby acknowledges publishes $took_ms ms after the active was killed (lease $LEASE s)"; else fail "a standby acknowledges publishes soon after the active was killed" "took ${took_ms:-forever} ms"; fi
check "every publisher got all its publishes acknowledged" 0 test "$(acked)" = 160
if wait_until 10 role_is b active || wait_until 10 role_is c active; then pass "a standby became active"; else fail "a standby became active" "$(tail -3 "$T/b.log") $(tail -3 "$T/c.log")"; fi
NEW=b; role_is c active && NEW=c
OTHER=c; [ $NEW = c ] && OTHER=b
"$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" --timeout 10 list "health/load/**" > "$T/listed" 2>"$T/err"
missing=0
while read -r name; do grep -q "^$name " "$T/listed" || missing=$((missing + 1)); done < <(cat "$T"/acked.*)
check "every acknowledged publish is in the catalog of the new active" 0 test $missing = 0
"$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" --timeout 10 \
  query --action publish --decision allow --dataset "health/load/**" --format csv --limit 10000 > "$T/records" 2>"$T/err"
norec=0
while read -r name; do grep -q ",$name," "$T/records" || norec=$((norec + 1)); done < <(cat "$T"/acked.*)
check "with its audit record" 0 test $norec = 0
if ! cat "$T"/witness.* >/dev/null 2>&1; then pass "the agents' witnessed heads accept every head after the failover"; else fail "the agents' witnessed heads accept every head after the failover" "$(cat "$T"/witness.* | head -3)"; fi
check "the log verifies on the new active" 0 "$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" --timeout 30 verify
check "the new active's log extends the head an auditor saved before the failover (consistency proof)" 0 auditor consistency --old-head "$T/before.head"
check "and verifies from it" 0 auditor verify --since-head "$T/before.head"
check "a publish after the failover is witnessed by the first one's state" 0 publish health/group/after
check_grep "the old active's killing is in the new one's log" "$T/$NEW.log" "group-active epoch=2 "
took_over() { curl -s --max-time 5 "http://127.0.0.1:$MB/metrics" | grep -q "^dx_group_role{role=\"$1\"} 1$"; }
if [ $NEW = b ]; then
  if took_over active; then pass "the metrics follow the role"; else fail "the metrics follow the role" "$(curl -s "http://127.0.0.1:$MB/metrics" | grep dx_group)"; fi
else
  if took_over standby; then pass "the metrics follow the role"; else fail "the metrics follow the role" "$(curl -s "http://127.0.0.1:$MB/metrics" | grep dx_group)"; fi
fi

# --- the killed broker comes back: a standby that catches up ---
member a
if wait_until 30 role_is a standby && wait_until 30 caught_up a; then pass "the killed broker rejoins as a standby and catches up"; else fail "the killed broker rejoins as a standby and catches up" "$(status_of a)"; fi

# --- split brain ---
kill -STOP "${PID[$NEW]}"
stopped=$(date +%s)
new_active() { role_is "$OTHER" active || role_is a active; }
if wait_until $((LEASE + 20)) new_active; then pass "a standby takes over from a paused active"; else fail "a standby takes over from a paused active" "$(status_of "$OTHER")"; fi
THIRD=$OTHER; role_is a active && THIRD=a
check "and acknowledges writes" 0 publish health/group/during-pause "$(ep $THIRD)"
kill -CONT "${PID[$NEW]}"
gone() { ! alive "$NEW"; }
if wait_until $((LEASE + 15)) gone; then pass "the paused broker, resumed, stops"; else fail "the paused broker, resumed, stops" "still running: $(tail -3 "$T/$NEW.log")"; fi
wait "${PID[$NEW]}"
rc=$?
check "exiting non-zero, for its supervisor to start it again" 0 test $rc = 1
check_grep "saying why in one line" "$T/$NEW.log" "error fenced reason=.*acknowledges nothing more"
check "nothing it held was acknowledged after the pause" 0 publish health/group/after-pause "$(ep $THIRD),$(ep $NEW)"
check "the history is one: the log verifies" 0 "$BIN/dx-audit" --broker "$(ep $THIRD)" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" --timeout 30 verify
"$BIN/dx-agent" --broker "$(ep $THIRD)" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" --timeout 10 list "health/**" > "$T/listed" 2>"$T/err"
missing=0
for name in health/group/first health/group/after health/group/during-pause health/group/after-pause $(cat "$T"/acked.*); do grep -q "^$name " "$T/listed" || missing=$((missing + 1)); done
check "every write acknowledged by any of the brokers is there" 0 test $missing = 0
member "$NEW"
if wait_until 30 role_is "$NEW" standby && wait_until 30 caught_up "$NEW"; then pass "started again, it rejoins as a standby"; else fail "started again, it rejoins as a standby" "$(tail -3 "$T/$NEW.log")"; fi

# --- a standby joining from a backup of the active ---
check "a backup of the active, live" 0 "$BIN/dx-admin" backup --data "$T/$THIRD" --out "$T/d"
publish health/group/after-backup "$(ep $THIRD)"
member d
if wait_until 30 role_is d standby && wait_until 30 caught_up d; then pass "a standby starts from the backup and replays the rest"; else fail "a standby starts from the backup and replays the rest" "$(tail -3 "$T/d.log")"; fi
check_grep "from the backup's position, not from the start" "$T/d.log" "group-joined position=[1-9]"

# --- a clean stop hands over at once ---
kill -TERM "${PID[$THIRD]}"
t0=$(date +%s%N)
wait "${PID[$THIRD]}"
check "the active stops cleanly" 0 test $? = 0
EP="$(ep a),$(ep b),$(ep c),$(ep d)"
check "a standby serves at once" 0 publish health/group/handover
handover_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "within the lease: the lease was let go ($handover_ms ms)" 0 test $handover_ms -lt $((LEASE * 1000))

# --- a changed journal entry ---
# epoch 1's part, its first entry's payload altered by one byte; then the
# altered entry's hash made to match it (what anyone with write access to the pool can
# do), which leaves only the broker key's signature to catch it
PART=dx.journal.0000000000000001.00000000
ceph_rados get $PART "$T/part" 2>/dev/null
tamper() {
  python3 - "$T/part" "$1" <<'PY'
import hashlib, struct, sys
p, rehash = sys.argv[1], sys.argv[2] == "rehash"
b = bytearray(open(p, 'rb').read())
plen = struct.unpack(">I", b[4:8])[0]
if not rehash:
    b[56 + 20] ^= 1
else:
    b[56 + plen:56 + plen + 32] = hashlib.sha256(bytes(b[:56 + plen])).digest()
open(p, 'wb').write(bytes(b))
PY
  ceph_rados put $PART "$T/part" 2>/dev/null
}
# reader NAME: a new standby in $T/NAME, from the journal's start
reader() {
  "$BIN/dx-broker" --listen "tcp://127.0.0.1:$(free_port)" --data "$T/$1" --policies "$T/policies" \
    --key "$T/keys/broker.key" "${G[@]}" >"$T/$1.log" 2>&1 &
  epid=$!
  stopped_e() { ! kill -0 $epid 2>/dev/null; }
  if wait_until 30 stopped_e; then pass "$2: the standby stops"; else fail "$2: the standby stops" "still running"; kill -KILL $epid; fi
  wait $epid
  check "$2: with exit status 1" 0 test $? = 1
}
tamper flip
reader e "a changed entry"
check_grep "in one line saying which entry was changed" "$T/e.log" "^dx-broker: journal entry 1 \(epoch 1 part 0 offset 0\) was changed: its hash does not match its bytes$"
check "nothing of it applied" 0 test "$(wc -l < "$T/e.log")" -le 4
tamper rehash
reader f "a changed entry with its hash made again"
check_grep "saying it is not signed by the broker key" "$T/f.log" "^dx-broker: journal entry 1 \(epoch 1 part 0 offset 0\) was changed: it is not signed by the broker key$"

# --- Ceph trouble ---
ceph_kill_osd 1
check "with one OSD lost, publishes go on" 0 publish health/group/one-osd
ceph_start_osd 1
wait_until 30 ceph_rados stat dx.none >/dev/null 2>&1
ceph_kill_osd 0
ceph_kill_osd 1
t0=$(date +%s)
publish health/group/no-osd
rc=$?
if [ $rc != 0 ] && grep -qE "content store unavailable|did not answer|standby" "$T/pub.err"; then pass "with Ceph away, a publish is not acknowledged and says why"; else fail "with Ceph away, a publish is not acknowledged and says why" "exit $rc: $(cat "$T/pub.err")"; fi
check "in one line" 0 test "$(wc -l < "$T/pub.err")" = 1
ceph_start_osd 0
ceph_start_osd 1
served() { publish health/group/ceph-back; }
if wait_until 90 served; then pass "when Ceph returns, the group serves again"; else fail "when Ceph returns, the group serves again" "$(cat "$T/pub.err")"; fi
"$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" --timeout 10 list "health/**" > "$T/listed" 2>"$T/err"
missing=0
for name in health/group/first health/group/after health/group/during-pause health/group/after-backup health/group/handover health/group/one-osd health/group/ceph-back $(cat "$T"/acked.*); do grep -q "^$name " "$T/listed" || missing=$((missing + 1)); done
check "and nothing acknowledged is lost" 0 test $missing = 0
for n in a b c d; do [ -n "${PID[$n]:-}" ] && alive "$n" && kill -TERM "${PID[$n]}"; done
for n in a b c d; do [ -n "${PID[$n]:-}" ] && wait "${PID[$n]}" 2>/dev/null; done
PID=()
