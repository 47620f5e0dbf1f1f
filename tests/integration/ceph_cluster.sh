#!/usr/bin/env bash
# The tests' Ceph cluster (tests/lib/ceph.sh) is real and behaves as the
# content store's tests will need it to: it comes up on loopback well
# within a minute, stores and returns objects, keeps taking writes with
# one of its two OSDs killed, makes a client fail within its bound while
# the monitor is down and serve again when it is back, and leaves no
# daemon behind. If it cannot start, this fails saying why.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/ceph.sh"
trap 'ceph_stop; cleanup' EXIT

t0=$(date +%s)
if ceph_start "$T/ceph" > "$T/why"; then pass "a cluster comes up (one monitor, two OSDs, a pool of size 2)"; else fail "a cluster comes up (one monitor, two OSDs, a pool of size 2)" "$(cat "$T/why")"; exit 0; fi
up=$(( $(date +%s) - t0 ))
echo "# up in $up s"
check "well within a minute" 0 test "$up" -lt 45
head -c 1048576 /dev/urandom > "$T/one.bin"
check "an object is stored" 0 ceph_rados put one "$T/one.bin"
check "and read back" 0 ceph_rados get one "$T/back.bin"
check "whole" 0 cmp -s "$T/one.bin" "$T/back.bin"
check "an exclusive create of an existing name is refused" 1 ceph_rados create one

ceph_kill_osd 1
t1=$(date +%s) ok=0
for i in $(seq 16); do  # names spread over the pool's placement groups
  done_one=1
  for _ in $(seq 3); do ceph_rados put "two-$i" "$T/one.bin" >/dev/null 2>&1 && { done_one=0; break; }; done
  [ "$done_one" = 0 ] || ok=1
done
echo "# with osd.1 killed, 16 writes acknowledged in $(( $(date +%s) - t1 )) s"
check "with one OSD killed, every write is acknowledged" 0 test "$ok" = 0
check "within 20 s (the other OSD reports it down in about 4)" 0 test $(( $(date +%s) - t1 )) -lt 20
check "and the first object still read" 0 ceph_rados get one "$T/back.bin"
ceph_start_osd 1

ceph_stop_mon
t1=$(date +%s)
check "with the monitor down, a client fails" 1 timeout 60 rados -c "$CEPH_CONF" -p dx put three "$T/one.bin"
waited=$(( $(date +%s) - t1 ))
check "within its bound (rados mon op timeout 10 s)" 0 test "$waited" -lt 30
if ceph_start_mon > "$T/why"; then pass "the monitor comes back"; else fail "the monitor comes back" "$(cat "$T/why")"; fi
ok=1
for _ in $(seq 60); do ceph_rados put three "$T/one.bin" >/dev/null 2>&1 && { ok=0; break; }; sleep 0.5; done
check "and writes are taken again" 0 test "$ok" = 0

pids=("${CEPH_PIDS[@]}")
ceph_stop
left=0
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
check "every daemon stopped by its PID" 0 test "$left" = 0
