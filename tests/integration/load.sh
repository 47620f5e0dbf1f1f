# Load: 200 connections publishing and fetching for a bounded time, twice:
# no error, no lost reply, and the broker's heap does not grow with the
# requests served. A consumer that stops reading mid-transfer neither
# blocks the others nor holds more than its bound, and the broker says so;
# a member cannot open more than its share of transfers.
. "$(dirname "$0")/lib.sh"
# under ASan, freed memory waits in a quarantine (256 MiB by default) that
# would read as growth
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8}
setup_exchange
broker_with() { "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" "$@"; }
check "a broker refuses --member-transfers 0 (exit 2)" 2 broker_with --member-transfers 0
check "and --member-transfers 300, above the 256 open in all" 2 broker_with --member-transfers 300
check "and --workers many" 2 broker_with --workers many
start_broker --member-transfers 256 || exit 1
head -c 1024 /dev/urandom > "$T/small.bin"
head -c $((80 * 1024 * 1024)) /dev/urandom > "$T/big.bin"
agent health publish health/load/small "$T/small.bin" >/dev/null
agent health publish health/load/big "$T/big.bin" >/dev/null
rm -f "$T/big.bin"
load() { "$TOOLS/dx-load" "$@" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key"; }
anon() { awk '/RssAnon/ {print $2}' /proc/$BROKER_PID/status; }

check "200 connections, publishing and fetching for 4 s" 0 load mixed 200 4 health/load/small
read -r ops1 errors1 lost1 < "$T/out"
echo "# first run: $ops1 operations, $errors1 errors, $lost1 lost; broker heap $(anon) kB"
rss1=$(anon)
check "and again" 0 load mixed 200 4 health/load/small
read -r ops2 errors2 lost2 < "$T/out"
rss2=$(anon)
echo "# second run: $ops2 operations, $errors2 errors, $lost2 lost; broker heap $rss2 kB"
[ "$ops1" -gt 1000 ] && [ "$ops2" -gt 1000 ] && pass "thousands of operations served ($ops1, $ops2)" || fail "enough operations" "$ops1 $ops2"
[ "$rss2" -le $((rss1 + 8192)) ] && pass "the heap does not grow with requests served ($rss1 -> $rss2 kB)" || fail "the heap does not grow" "$rss1 -> $rss2 kB"

check "the broker stops cleanly after the load" 0 stop_broker
start_broker --member-transfers 8 --session-timeout 3 || exit 1
rss2=$(anon)

# a consumer asks for 64 chunks (its credit is 8) and then reads nothing
"$TOOLS/dx-load" stall health/load/big 6 --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" >"$T/stall" 2>&1 &
stall=$!
for i in $(seq 50); do grep -q stalled "$T/stall" && break; sleep 0.1; done
check "others are served while a consumer stalls" 0 load mixed 6 2 health/load/small
read -r ops3 _ _ < "$T/out"
stalled_rss=$(anon)
echo "# during the stall: $ops3 operations by others; broker heap $stalled_rss kB"
# what it asked for within its in-flight limit (24 chunks) is held for it;
# ASan's heap (redzones, its quarantine of freed chunks) takes more
bound=40
ldd "$BIN/dx-broker" 2>/dev/null | grep -q libasan && bound=64
[ "$stalled_rss" -le $((rss2 + bound * 1024)) ] && pass "the stalled consumer holds a bounded amount (heap $stalled_rss kB)" || fail "the stall is bounded" "$stalled_rss kB"
# what its queue in libzmq cannot take is held for it (bounded), not dropped
check "nothing it asked for within its limit was dropped" 1 grep -q "reply not delivered" "$BROKER_LOG"
for i in $(seq 60); do grep -q "fetch-timed-out member=health" "$BROKER_LOG" && break; sleep 0.1; done
check_grep "and ends its transfer after the idle timeout" "$BROKER_LOG" "fetch-timed-out member=health"
wait $stall

# a member's ninth concurrent transfer is refused, and logged
pids=
for i in $(seq 9); do
  "$TOOLS/dx-load" stall health/load/big 3 0 --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" >"$T/many.$i" 2>&1 &
  pids="$pids $!"
done
wait $pids
busy=$(grep -L stalled "$T"/many.* | wc -l)
[ "$busy" -ge 1 ] && pass "transfers beyond a member's limit are refused ($busy of 9)" || fail "a member's limit" "all 9 started"
check_grep "and the broker says why" "$BROKER_LOG" "transfer-refused member=health reason=\"session limit reached\""
check "the log verifies after the load" 0 audit auditor verify
