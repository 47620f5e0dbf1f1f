#!/usr/bin/env bash
# Crash safety of erasure: the broker is SIGKILLed in the middle of
# retention sweeps over thousands of versions, and in the middle of erasing
# a large version. After each kill, offline: every version is wholly intact
# (its key opens, every chunk opens, the hash matches) or wholly erased
# (no key, one erase record with its hash), the vault holds exactly the
# keys the store names, and after a restart the log verifies.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
N=${DX_ERASE_CRASH_VERSIONS:-12000}
KILLS=${DX_ERASE_CRASH_KILLS:-4}
consistent() { "$TOOLS/dx-check-erasure" "$T/data" --key "$T/keys/broker.key"; }

start_broker || exit 1
check "fill $N versions" 0 "$TOOLS/dx-load" fill "$N" 300 --broker "$EP" --broker-pub "$T/keys/broker.pub" \
  --key "$T/keys/health.key"
stop_broker
check "all intact" 0 consistent
check_grep "$N of them" "$T/out" "^$N 0 0$"

cat >> "$T/policies/datasets.yaml" <<'EOF'
  - match: "health/bench/**"
    owner: health
    classification: restricted
    retention: 1s
EOF
sleep 1.1
orphans=0
for k in $(seq "$KILLS"); do
  start_broker --retention-every 1 || exit 1
  check_grep "restart $k: the keys a kill left behind are overwritten at start ($orphans)" "$BROKER_LOG" \
    "content keys: [0-9]+ in use, $orphans left by a crash overwritten"
  # inside the sweep: once a step has committed (1000 versions each, a few
  # tens of milliseconds here), a little later
  for i in $(seq 2000); do grep -q "retention: erased" "$BROKER_LOG" && break; sleep 0.005; done
  sleep "0.0$(( RANDOM % 60 ))"
  kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
  check "kill $k in a sweep: every version intact or erased, catalog, vault and log agree" 0 consistent
  echo "# after kill $k: intact erased orphans = $(cat "$T/out")"
  orphans=$(cut -d' ' -f3 "$T/out")
done
start_broker --retention-every 1 || exit 1
done_sweep() { "$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" \
  query --action erase --format csv --limit 100000 2>/dev/null | grep -c ',erase,' | grep -qx "$N"; }
if wait_until 60 done_sweep; then pass "the sweep finished after the restarts"; else fail "the sweep finished after the restarts" "not all $N erased"; fi
check "the log verifies" 0 audit auditor verify
stop_broker
check "all erased, each once" 0 consistent
check_grep "$N of them, no key left" "$T/out" "^0 $N 0$"

# a large version: killed while its erasure runs
head -c $((48 * 1024 * 1024)) /dev/urandom > "$T/big"
for k in 1 2 3; do
  start_broker || exit 1
  check "publish a 48 MiB version ($k)" 0 agent health publish "health/large/v$k" "$T/big" \
    --content-type application/octet-stream
  admin office erase "health/large/v$k@1" --reason "crash test $k" >/dev/null 2>&1 &
  sleep "0.0$(( RANDOM % 40 ))"
  kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
  wait
  check "kill in an erase of 48 MiB ($k): intact or erased, and they agree" 0 consistent
done
start_broker || exit 1
check "the log verifies after the kills" 0 audit auditor verify
for k in 1 2 3; do
  if agent health info "health/large/v$k" 2>/dev/null | grep -q '^erased:'; then
    echo "# health/large/v$k: erased before the kill"
  else
    check "health/large/v$k was not erased: it fetches whole" 0 agent health fetch "health/large/v$k" \
      --purpose operations -o "$T/back$k"
    check "the same bytes" 0 cmp "$T/big" "$T/back$k"
    check "and can be erased now" 0 admin office erase "health/large/v$k" --all-versions --reason "after the crash"
  fi
done
stop_broker
check "in the end every large version is erased" 0 consistent
check_grep "and no key is left" "$T/out" " 0$"
