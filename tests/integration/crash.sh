# Crash safety: three publishers (small and multi-chunk datasets) publish in
# a loop while the broker is killed with SIGKILL at random moments, twenty
# times. After each restart on the same data directory: every publish that
# was acknowledged is in the log with its hash, every dataset in the catalog
# fetches whole (no half-visible publish), and the audit log verifies.
. "$(dirname "$0")/lib.sh"
setup_exchange
KILLS=${DX_CRASH_KILLS:-20}
mkdir -p "$T/files"
: > "$T/acked"

publisher() {
  local id=$1 round=$2 i=0
  while [ ! -e "$T/stop" ] && [ $i -lt 200 ]; do
    local name="health/crash/r$round-p$id-$i" f="$T/files/r$round-p$id-$i"
    if [ $((i % 4)) = 3 ]; then
      head -c $((2 * 1024 * 1024 + 1000 * i)) /dev/urandom > "$f"    # three chunks
    else
      head -c $((100 + 37 * i)) /dev/urandom > "$f"
    fi
    # acknowledged = the agent got a receipt signed by the broker
    if "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" \
         --timeout 1 publish "$name" "$f" --content-type application/octet-stream >/dev/null 2>&1; then
      echo "$name $(sha "$f")" >> "$T/acked.$id"
    fi
    rm -f "$f"
    i=$((i + 1))
  done
}

failures=0
for round in $(seq "$KILLS"); do
  start_broker || { fail "restart $round" "the broker did not start"; failures=$((failures + 1)); break; }
  rm -f "$T/stop"
  for id in 1 2 3; do publisher "$id" "$round" & done
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.15 + (r % 70) / 100 }')"
  kill -KILL "$BROKER_PID"
  wait "$BROKER_PID" 2>/dev/null
  BROKER_PID=
  touch "$T/stop"
  wait
  # the data directory as the crash left it: the log must verify
  if ! "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" verify >"$T/verify.$round" 2>&1; then
    failures=$((failures + 1))
    fail "the log verifies after kill $round" "$(cat "$T/verify.$round")"
  fi
done
[ $failures = 0 ] && pass "the audit log verified after each of $KILLS kills"
cat "$T"/acked.* > "$T/acked" 2>/dev/null
n=$(wc -l < "$T/acked")
[ "$n" -gt 20 ] && pass "publishers were acknowledged $n times across the kills" || fail "enough publishes acknowledged" "$n"

start_broker || exit 1
check "the broker restarts on the crashed data" 0 true
"$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" query --action publish --decision allow \
  --dataset 'health/crash/**' --format csv | tail -n +2 | cut -d, -f6,8 | tr , ' ' | sort > "$T/logged"
missing=0
while read -r name hash; do
  grep -q "^$name $hash\$" "$T/logged" || { missing=$((missing + 1)); echo "# acknowledged but missing: $name"; }
done < "$T/acked"
[ $missing = 0 ] && pass "every acknowledged publish is in the log with its hash" || fail "every acknowledged publish is in the log" "$missing missing"
check "every dataset in the catalog fetches whole" 0 "$TOOLS/dx-check-catalog" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" --timeout 20 'health/crash/**' operations
cut -d' ' -f1,3 "$T/out" | sort > "$T/fetched"
missing=0
while read -r name hash; do
  grep -q "^$name $hash\$" "$T/fetched" || { missing=$((missing + 1)); echo "# acknowledged but not fetched intact: $name"; }
done < "$T/acked"
[ $missing = 0 ] && pass "every acknowledged dataset fetches unchanged" || fail "every acknowledged dataset fetches unchanged" "$missing"
[ "$(wc -l < "$T/fetched")" = "$(wc -l < "$T/logged")" ] && pass "the catalog holds exactly the logged publishes" || fail "the catalog holds exactly the logged publishes" "$(wc -l < "$T/fetched") vs $(wc -l < "$T/logged")"
c=$(grep -h "collected" "$T"/broker.*.log | wc -l)
echo "# $c of the restarts collected interrupted multi-chunk publishes"
check "and the log verifies online" 0 audit auditor verify
