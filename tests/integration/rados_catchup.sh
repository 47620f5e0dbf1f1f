#!/usr/bin/env bash
# A broker group's standbys behind, and its journal trimmed (real Ceph,
# tests/lib/ceph.sh), as an operator meets it:
#   - a standby stopped while the active writes 100,000 audit records
#     comes back and catches up by itself, its store's log verifying;
#   - a clean stop hands over; the next epoch seals the last one;
#   - after a backup of a member's store, the active trims the journal's
#     parts every member has applied and the backup covers; dx-admin
#     journal status and trim show and do the same;
#   - a standby whose store is older than the journal's start says in one
#     line to start from a backup; one started from that backup catches up.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/ceph.sh"
source "$(dirname "$0")/../lib/group.sh"
trap 'for p in "${PID[@]}"; do kill -KILL "$p" 2>/dev/null; done; ceph_stop; cleanup' EXIT
if ceph_start "$T/ceph" > "$T/why"; then pass "a Ceph cluster for the group"; else fail "a Ceph cluster for the group" "$(cat "$T/why")"; exit 0; fi
setup_exchange
sample_csv "$T/v.csv"
LEASE=3
R=(--rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER")
G=(--content-store rados "${R[@]}" --rados-timeout 5 --journal rados --lease $LEASE --trim-every 1)
for n in a b c d; do PORT[$n]=$(free_port); done
records_of() { status_of "$1" | sed -n 's/^audit log: *\([0-9]*\) records.*/\1/p'; }
stop_member() { kill -TERM "${PID[$1]}"; wait "${PID[$1]}"; }
journal() { "$BIN/dx-admin" journal "$@" "${R[@]}"; }

member a
wait_until 30 role_is a active || fail "the first broker is active" "$(tail -3 "$T/a.log")"
member b
if wait_until 30 caught_up b; then pass "a standby, caught up"; else fail "a standby, caught up" "$(status_of b)"; fi
stop_member b

# --- 100,000 records behind ---
flood() {
  "$TOOLS/dx-load" --broker "$(ep a)" --broker-pub "$T/keys/broker.pub" --key "$T/keys/statistics.key" \
    flood list 16 16 5 >/dev/null 2>&1
  [ "$(records_of a)" -ge 100000 ]
}
t0=$(date +%s)
if wait_until 300 flood; then pass "the active wrote 100,000 records while the standby was stopped ($(( $(date +%s) - t0 )) s)"; else fail "the active wrote 100,000 records while the standby was stopped" "$(records_of a) records"; fi
behind=$(records_of a)
t0=$(date +%s%N)
member b
if wait_until 300 caught_up b; then pass "the standby catches up by itself"; else fail "the standby catches up by itself" "$(status_of b)"; fi
took=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# $behind records applied in $took ms"
stop_member b
check "its store's log verifies: $behind records and more" 0 "$BIN/dx-audit" --db "$T/b" --broker-pub "$T/keys/broker.pub" verify
check_grep "every record" "$T/out" "^audit log verified: [0-9]{6,} records"
# b comes back with a policy directory that differs from a's
cp -a "$T/policies" "$T/policies2"
echo "# changed on one machine only" >> "$T/policies2/$(ls "$T/policies2" | grep -m1 'yaml$')"
member b --policies "$T/policies2"
wait_until 30 caught_up b

# --- a clean stop hands over: epoch 1 is sealed ---
stop_member a
if wait_until 30 role_is b active; then pass "a clean stop hands over"; else fail "a clean stop hands over" "$(status_of b)"; fi
check_grep "a new active whose policy set differs from the group's says so" "$T/b.log" "warn  group-policy-differs .*do=\"this broker's policy set is not the one the group had in force"

member a
wait_until 60 caught_up a
check "journal status shows the parts" 0 journal status
check_grep "epoch 1's, sealed" "$T/out" "^part: +epoch 1 part [0-9]+: sealed, up to entry [0-9]+"
check_grep "and the open one of epoch 2" "$T/out" "^part: +epoch 2 part 0: open"
check_grep "and each member" "$T/out" "^member: +$(ep a) at entry"
check_grep "with nothing to trim without a backup" "$T/out" "^trim: +no backup of a member's store is known"

# --- a backup, then trimming ---
check "a backup of a member's store" 0 "$BIN/dx-admin" backup --data "$T/b" --out "$T/bk"
check_grep "which says the group may trim up to it" "$T/out" "a broker group's member, at journal entry [0-9]+"
publish() {
  "$BIN/dx-agent" --broker "$(ep b),$(ep a)" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" \
    --timeout 8 publish "$1" "$T/v.csv" >/dev/null 2>"$T/pub.err"
}
check "a publish after the backup" 0 publish health/after-backup
trimmed() { grep -q "journal-trimmed parts=[1-9]" "$T/b.log"; }
if wait_until 30 trimmed; then pass "the active trims epoch 1's parts by itself"; else fail "the active trims epoch 1's parts by itself" "$(grep -i trim "$T/b.log" | tail -2)"; fi
check "epoch 1's part is gone from the pool" 1 ceph_rados stat dx.journal.0000000000000001.00000000
check "journal status" 0 journal status
check_grep "says where it starts" "$T/out" "^starts: +after entry [1-9][0-9]*$"
check "dx-admin journal trim has nothing more to do" 0 journal trim
check_grep "and says so" "$T/out" "^(nothing trimmed|trimmed 0 part)"
check "the standbys still follow" 0 publish health/after-trim
if wait_until 30 caught_up a; then pass "a standby goes on past the trimmed part"; else fail "a standby goes on past the trimmed part" "$(status_of a)"; fi

# --- a store older than the journal's start ---
member c
gone() { ! kill -0 "${PID[c]}" 2>/dev/null; }
if wait_until 60 gone; then pass "an empty standby cannot start from a trimmed journal"; else fail "an empty standby cannot start from a trimmed journal" "still running"; fi
wait "${PID[c]}"
check "it exits 1" 0 test $? = 1
check_grep "saying in one line to start from a backup" "$T/c.log" "^dx-broker: the journal was trimmed past this store \(it has entry 0; the journal now starts after entry [0-9]+\): start this broker from a recent backup"
unset 'PID[c]'
cp -a "$T/bk" "$T/d"
member d
if wait_until 60 caught_up d; then pass "a standby started from the backup catches up"; else fail "a standby started from the backup catches up" "$(tail -3 "$T/d.log")"; fi
check_grep "from the backup's position" "$T/d.log" "group-joined position=[1-9]"
for n in a b d; do kill -TERM "${PID[$n]}"; done
for n in a b d; do wait "${PID[$n]}"; done
PID=()
