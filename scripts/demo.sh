#!/usr/bin/env bash
# make demo: the whole exchange on loopback, narrated. Keys, policy, broker,
# a publish, a filtered fetch, refusals, the agents as services (an outbox,
# a subscription, an inbox, a delivery receipt), an audit query and
# verification.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/bin
D=$(mktemp -d /tmp/dx-demo.XXXXXX)
export DX_STATE_DIR=$D/state
BROKER_PID= AGENT_PIDS=
finish() {
  for p in $AGENT_PIDS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -n "$BROKER_PID" ] && kill -TERM "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null
  rm -rf "$D"
}
trap finish EXIT

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
run() {
  # show the command as a person would type it, then run it
  printf '$ %s\n' "$(printf '%s ' "$@" | sed "s#$BIN/##g; s#$D/##g")"
  "$@"
}
refused() {
  printf '$ %s\n' "$(printf '%s ' "$@" | sed "s#$BIN/##g; s#$D/##g")"
  local status=0
  "$@" || status=$?
  echo "(exit status $status)"
}

say "1. The data office makes keys for the broker and each member"
"$PWD/scripts/example-exchange.sh" "$D" "$BIN"
printf '$ dx-admin keygen health --out keys    (and broker, statistics, education, auditor)\n'
ls "$D/keys"
echo "Each member's public keys go into the policy set:"
sed -n '/id: health/,/transport_key/p' "$D/policies/members.yaml"

say "2. The sharing rules (policies/rules.yaml), checked before use"
sed -n '/^rules:/,$p' "$D/policies/rules.yaml" | grep -v '^#'
run "$BIN/dx-admin" policy check "$D/policies"
echo '$ dx-admin policy test policies      (the expectations in policies/tests/)'
"$BIN/dx-admin" policy test "$D/policies" | tail -n 1
refused "$BIN/dx-admin" policy explain "$D/policies" --member statistics --action read --dataset health/vaccination/2026-q3 --purpose marketing

say "3. The broker starts: CURVE on loopback, LMDB in data/"
"$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$D/data" --policies "$D/policies" \
  --key "$D/keys/broker.key" 2>"$D/broker.log" &
BROKER_PID=$!
for _ in $(seq 100); do
  EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$D/broker.log")
  [ -n "$EP" ] && break
  sleep 0.1
done
[ -n "$EP" ] || { cat "$D/broker.log"; exit 1; }
cat "$D/broker.log"
export DX_BROKER=$EP DX_BROKER_PUB=$D/keys/broker.pub

say "4. Health publishes its vaccination data (signed, hashed, stored with fsync)"
cat > "$D/vaccination.csv" <<'CSV'
national_id,name,region,vaccinated
19700101-1234,"Doe, Jane",north,yes
19820315-5678,"O'Brien, Pat",south,no
19991231-9012,Lee Min,east,yes
CSV
cat "$D/vaccination.csv"
run env DX_KEY="$D/keys/health.key" "$BIN/dx-agent" publish health/vaccination/2026-q3 "$D/vaccination.csv" --classification restricted

say "5. Statistics fetches it for the purpose 'statistics': a filtered view"
run env DX_KEY="$D/keys/statistics.key" "$BIN/dx-agent" fetch health/vaccination/2026-q3 --purpose statistics -o "$D/stats.csv"
cat "$D/stats.csv"
echo "(no national_id column: rule stats-reads-vaccination excludes it; the broker signed the view)"

say "6. Refusals: education may not read health data; statistics may not use it for marketing"
refused env DX_KEY="$D/keys/education.key" "$BIN/dx-agent" fetch health/vaccination/2026-q3 --purpose statistics -o "$D/edu.csv"
refused env DX_KEY="$D/keys/statistics.key" "$BIN/dx-agent" fetch health/vaccination/2026-q3 --purpose marketing -o "$D/m.csv"
ls "$D"/edu.csv "$D"/m.csv 2>/dev/null || echo "(no output files were written)"

say "7. The agents as services: health's outbox, statistics' subscription"
for who in health statistics; do mkdir -p "$D/$who"; done
cat > "$D/health/agent.yaml" <<EOF
broker: $EP
broker_pub: $D/keys/broker.pub
key: $D/keys/health.key
state: $D/health/state
outboxes:
  - dir: $D/health/outbox/vaccination
    dataset: health/vaccination/{date}
    classification: restricted
    content_type: text/csv
EOF
cat > "$D/statistics/agent.yaml" <<EOF
broker: $EP
broker_pub: $D/keys/broker.pub
key: $D/keys/statistics.key
state: $D/statistics/state
subscriptions:
  - datasets: ["health/vaccination/**"]
    purpose: statistics
    inbox: $D/statistics/inbox
EOF
echo "statistics/agent.yaml:"
sed "s#$D/##g; s/^/    /" "$D/statistics/agent.yaml"
for who in health statistics; do
  printf '$ dx-agent run --config %s/agent.yaml &\n' "$who"
  "$BIN/dx-agent" run --config "$D/$who/agent.yaml" 2>>"$D/$who/log" &
  AGENT_PIDS="$AGENT_PIDS $!"
done
sleep 1
echo "Health's IT drops this week's file into the outbox (written elsewhere, renamed in):"
mkdir -p "$D/health/outbox/vaccination"
cp "$D/vaccination.csv" "$D/week.csv.tmp"
run mv "$D/week.csv.tmp" "$D/health/outbox/vaccination/week-49.csv"
today=$(date -u +%F)
for _ in $(seq 100); do [ -f "$D/statistics/inbox/health/vaccination/$today@1.receipt" ] && break; sleep 0.1; done
echo "What the two services said (one line per event, on stderr):"
sed "s#$D/##g" "$D/health/log" "$D/statistics/log" | grep -v "dx-agent running"
run ls "$D/health/outbox/vaccination/sent"
echo "Statistics' inbox: the filtered view, and the receipt of the delivery receipt it signed:"
run cat "$D/statistics/inbox/health/vaccination/$today@1"
sed 's/^/    /' "$D/statistics/inbox/health/vaccination/$today@1.receipt"
echo "Health asks who received it:"
run env DX_KEY="$D/keys/health.key" "$BIN/dx-agent" deliveries "health/vaccination/$today"

say "8. The auditor asks who saw what, and under which rule"
run env DX_KEY="$D/keys/auditor.key" "$BIN/dx-audit" query --dataset 'health/**'
echo "(publish, read and the signed delivery receipt, each under its rule)"

say "9. The auditor proves and verifies: the log is a Merkle tree with signed heads"
seq=$(DX_KEY="$D/keys/auditor.key" "$BIN/dx-audit" query --member statistics --format csv --limit 1 | tail -n 1 | cut -d, -f1)
run env DX_KEY="$D/keys/auditor.key" "$BIN/dx-audit" prove "$seq"
run env DX_KEY="$D/keys/auditor.key" "$BIN/dx-audit" head
run env DX_KEY="$D/keys/auditor.key" "$BIN/dx-audit" verify
run "$BIN/dx-audit" --db "$D/data" --broker-pub "$D/keys/broker.pub" verify

say "10. The data office's report: one page, from the records it verified"
run env DX_KEY="$D/keys/auditor.key" "$BIN/dx-audit" report --out /tmp/dx-demo-report.html
echo "(open /tmp/dx-demo-report.html in a browser; it stays after the demo: exchanges, who shares with whom, refusals, receipts)"

say "Done. The broker stops cleanly on SIGTERM."
