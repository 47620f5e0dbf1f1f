#!/usr/bin/env bash
# Retention: a namespace's `retention:` makes the broker erase versions
# older than that on its own, recorded as the broker under the rule
# "retention"; policy check and explain show it; the log is untouched.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
cat >> "$T/policies/datasets.yaml" <<'EOF'
  - match: "health/short/**"
    owner: health
    classification: restricted
    retention: 4s
EOF
sample_csv "$T/v.csv"

check "policy check accepts it" 0 "$BIN/dx-admin" policy check "$T/policies"
check_grep "and shows the retention" "$T/out" "retention: health/short/\*\* keeps versions 4s"
check "explain shows the retention that applies" 0 "$BIN/dx-admin" policy explain "$T/policies" \
  --member health --action publish --dataset health/short/a
check_grep "the namespace's" "$T/out" "^retention: 4s after publishing"
check "and where none applies" 0 "$BIN/dx-admin" policy explain "$T/policies" \
  --member health --action publish --dataset health/vaccination/a
check_grep "says so" "$T/out" "^retention: none"

start_broker --retention-every 1 || exit 1
check "publish under the short retention" 0 agent health publish health/short/a "$T/v.csv"
check "publish under none" 0 agent health publish health/vaccination/kept "$T/v.csv"
check "fetch it before its time" 0 agent health fetch health/short/a --purpose operations -o "$T/a1.csv"
erased() { agent health info health/short/a 2>/dev/null | grep -q '^erased:'; }
if wait_until 20 erased; then pass "the broker erased it once its time was up"; else fail "the broker erased it once its time was up" "still there after 20 s"; fi
check "info says by whom and why" 0 agent health info health/short/a
check_grep "the broker, under the namespace's rule" "$T/out" "erased: .* by broker: retention: namespace health/short/\*\* keeps versions 4s"
check "fetch says so" 1 agent health fetch health/short/a --purpose operations -o "$T/a2.csv"
check_grep "clearly" "$T/err" "was erased at"
check "the other namespace keeps its version" 0 agent health fetch health/vaccination/kept --purpose operations -o "$T/k.csv"
check "the log holds the erasure" 0 audit auditor query --action erase --format csv
check_grep "as the broker's, rule retention, with the hash" "$T/out" ",erase,,erase,health/short/a,1,.*$(sha "$T/v.csv").*retention"
check "its publish and read records are still there" 0 audit auditor query --dataset health/short/a --format csv
check_grep "the publish" "$T/out" "health,publish,health/short/a"
check_grep "the read" "$T/out" "health,read,health/short/a"
check "the log verifies" 0 audit auditor verify
n=$(grep -c "retention: erased" "$BROKER_LOG")
check "erased once, not again at the next sweeps" 0 test "$n" = 1

# a reload that adds a retention applies it to what is already there
check "publish three more under none" 0 bash -c "for i in 1 2 3; do
  '$BIN/dx-agent' --broker '$EP' --broker-pub '$T/keys/broker.pub' --key '$T/keys/health.key' \
    publish health/later/x '$T/v.csv' >/dev/null || exit 1; done"
cat >> "$T/policies/datasets.yaml" <<'EOF'
  - match: "health/later/**"
    owner: health
    classification: restricted
    retention: 1s
EOF
check "reload" 0 admin office reload
later() { agent health info health/later/x@3 2>/dev/null | grep -q '^erased:'; }
if wait_until 20 later; then pass "after the reload, the older versions are erased"; else fail "after the reload, the older versions are erased" "not after 20 s"; fi
check "all three" 0 bash -c "for v in 1 2 3; do
  '$BIN/dx-agent' --broker '$EP' --broker-pub '$T/keys/broker.pub' --key '$T/keys/health.key' \
    info health/later/x@\$v | grep -q '^erased:' || exit 1; done"
check "a bad retention in a reload is refused, the old set kept" 1 bash -c "
  sed -i 's/retention: 1s/retention: 1y/' '$T/policies/datasets.yaml' &&
  '$BIN/dx-admin' reload --broker '$EP' --broker-pub '$T/keys/broker.pub' --key '$T/keys/office.key'"
check_grep "with file:line:column" "$T/err" "datasets.yaml:[0-9]+:[0-9]+: error: retention '1y' is not a period"
stop_broker
