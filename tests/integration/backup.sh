#!/usr/bin/env bash
# dx-admin backup: a consistent, compacted copy of a running broker's store
# under load, which verifies offline and from which a broker starts.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
start_broker || exit 1
sample_csv "$T/v.csv"
check "a dataset before the backup" 0 agent health publish health/vaccination/before "$T/v.csv"
"$TOOLS/dx-load" publish 20 4 1024 2 --broker "$EP" --broker-pub "$T/keys/broker.pub" \
  --key "$T/keys/health.key" > "$T/load.out" 2>&1 &
LOAD=$!
# back up while the publishes are being acknowledged
wait_until 20 test "$(stat -c %s "$T/data/data.mdb")" -gt 4000000 || true
check "backup while publishes go on" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/copy"
check_grep "backup: says how to check it" "$T/out" "dx-audit --db .*copy.* verify"
check "a second backup into the same place is refused" 2 "$BIN/dx-admin" backup --data "$T/data" --out "$T/copy"
check_grep "backup: says why" "$T/err" "already holds a store"
check "backup of a directory that is not a store" 1 "$BIN/dx-admin" backup --data "$T/nothing" --out "$T/copy2"
wait $LOAD
check_grep "the load ran meanwhile" "$T/load.out" "^[1-9]"
check "the copy verifies offline" 0 "$BIN/dx-audit" --db "$T/copy" --broker-pub "$T/keys/broker.pub" verify
n=$("$BIN/dx-audit" --db "$T/copy" --broker-pub "$T/keys/broker.pub" query --action publish --format csv | wc -l)
echo "# the copy holds $((n - 1)) publish records"
if [ "$n" -gt 100 ]; then pass "the copy was made under load (publishes in it)"; else fail "the copy was made under load (publishes in it)" "$n lines"; fi
stop_broker
live=$(stat -c %s "$T/data/data.mdb") copy=$(stat -c %s "$T/copy/data.mdb")
echo "# live store $live bytes, compacted copy $copy bytes"
if [ "$copy" -le "$live" ]; then pass "the copy is compacted"; else fail "the copy is compacted" "$copy > $live"; fi
check "the copy is mode 0600" 0 test "$(stat -c %a "$T/copy/data.mdb")" = 600
mv "$T/data" "$T/live"; mv "$T/copy" "$T/data"
start_broker || exit 1
check "a broker starts from the copy" 0 kill -0 "$BROKER_PID"
check "and serves what was there before the backup" 0 agent health fetch health/vaccination/before --purpose operations -o "$T/back.csv"
check "the same bytes" 0 cmp "$T/v.csv" "$T/back.csv"
check "the restored log verifies online" 0 audit auditor verify
