#!/usr/bin/env bash
# Datasets beyond one disk: a broker whose --data is a 48 MiB tmpfs, far
# too small for the dataset, takes a 1 GiB publish into its Ceph pool and
# serves it back whole; its own disk holds only the catalog, the keys and
# the log.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/ceph.sh"
trap 'stop_broker; umount "$T/data" 2>/dev/null; ceph_stop; cleanup' EXIT
if ceph_start "$T/ceph" > "$T/why"; then pass "a Ceph cluster for the content"; else fail "a Ceph cluster for the content" "$(cat "$T/why")"; exit 0; fi
setup_exchange
mkdir -p "$T/data"
if mount -t tmpfs -o size=48m tmpfs "$T/data" 2>"$T/err"; then pass "a 48 MiB tmpfs for --data"; else fail "a 48 MiB tmpfs for --data" "$(cat "$T/err") (the tests run as root)"; exit 0; fi
R=(--content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER")
start_broker "${R[@]}" --map-size 40M || exit 1
# 1 GiB that does not compress, made quickly
head -c $((1 << 30)) /dev/zero | openssl enc -aes-128-ctr -nosalt -pass pass:dx -pbkdf2 2>/dev/null > "$T/big.bin"
check "the dataset is 1 GiB" 0 test "$(stat -c %s "$T/big.bin")" = $((1 << 30))
t0=$(date +%s)
check "a 1 GiB publish is taken" 0 agent health publish health/vaccination/big "$T/big.bin" --content-type application/octet-stream
echo "# ingest: $(( $(date +%s) - t0 )) s"
used=$(df --output=used -k "$T/data" | tail -1)
echo "# --data holds $used KiB"
check "--data holds a few MiB of it, not the content" 0 test "$used" -lt 16384
check "the pool holds 1024 objects" 0 test "$(ceph_rados ls 2>/dev/null | grep -c '^dx\.')" = 1024
t0=$(date +%s)
check "it is fetched" 0 agent health fetch health/vaccination/big --purpose operations -o "$T/back.bin"
echo "# fetch: $(( $(date +%s) - t0 )) s"
check "whole" 0 test "$(sha "$T/big.bin")" = "$(sha "$T/back.bin")"
rm -f "$T/back.bin"
check "the broker stops cleanly" 0 stop_broker
check "catalog and pool agree" 0 "$BIN/dx-admin" content check --data "$T/data" --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"
check_grep "every chunk" "$T/out" "versions with content: 1, every chunk present \(1024 objects, 1073770496 bytes\)"
