#!/usr/bin/env bash
# The Prometheus alerting rules shipped in dist/prometheus: promtool checks
# them and runs their unit tests (tests/prometheus/dx-alerts.test.yml: each
# alert fires on what should raise it and stays silent otherwise); then a
# real Prometheus loads them, scrapes a real broker, and raises the refused
# reload's alert when a bad policy set is reloaded, clears it when a good
# one is, and holds "broker down" pending once the broker stops.
set -u
source "$(dirname "$0")/lib.sh"
RULES=$PWD/dist/prometheus/dx-alerts.yml
for tool in promtool prometheus; do
  command -v "$tool" >/dev/null || { fail "$tool is installed" "scripts/deps.sh installs it (Debian prometheus)"; exit 1; }
done
check "promtool check rules" 0 promtool check rules "$RULES"
check_grep "finds every rule" "$T/out" "SUCCESS: 12 rules found"
check "promtool test rules: every alert fires and stays silent as its tests say" 0 promtool test rules tests/prometheus/dx-alerts.test.yml
check_grep "  SUCCESS" "$T/out" "SUCCESS"
# every alert of the file has a test, and says what to do
for a in $(sed -n 's/^ *- alert: //p' "$RULES"); do
  check_grep "alert $a is tested" tests/prometheus/dx-alerts.test.yml "alertname: $a$"
done
if grep -c '^ *- alert:' "$RULES" | grep -qx "$(grep -c '^ *do: ' "$RULES")"; then pass "every alert has a 'do' annotation"; else fail "every alert has a 'do' annotation" "$(grep -c '^ *do: ' "$RULES") of them"; fi

# the rules on a real Prometheus, against a real broker
setup_exchange
MP=$(free_port)
PP=$(free_port)
start_broker --metrics-listen "127.0.0.1:$MP" || exit 1
cat > "$T/prometheus.yml" <<Y
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$RULES"]
scrape_configs:
  - job_name: dx-broker
    static_configs:
      - targets: ["127.0.0.1:$MP"]
Y
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
  --web.listen-address="127.0.0.1:$PP" >"$T/prom.log" 2>&1 &
PROM=$!
trap 'kill $PROM 2>/dev/null; cleanup' EXIT
# alerts NAME STATE lines, from Prometheus's API
alerts() { /usr/bin/python3 -c '
import json, sys, urllib.request
r = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/alerts", timeout=5))
for a in r["data"]["alerts"]:
    print(a["labels"]["alertname"], a["state"])' "http://127.0.0.1:$PP" 2>/dev/null; }
up() { /usr/bin/python3 -c '
import json, sys, urllib.request
r = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/query?query=up%7Bjob%3D%22dx-broker%22%7D", timeout=5))
res = r["data"]["result"]
print(res[0]["value"][1] if res else "")' "http://127.0.0.1:$PP" 2>/dev/null; }
# wait_alert WHAT PATTERN: until the alerts ("NAME STATE;" each) match
# PATTERN (none: until there is no alert), 30 s at most
wait_alert() {
  local what=$1 pattern=$2 got=
  for _ in $(seq 150); do
    got=$(alerts | tr '\n' ';')
    if [ "$pattern" = none ] && [ -z "$got" ]; then pass "$what"; return 0; fi
    if [ "$pattern" != none ] && printf '%s' "$got" | grep -Eq "$pattern"; then pass "$what"; return 0; fi
    sleep 0.2
  done
  fail "$what" "alerts: '$got'; $(tail -2 "$T/prom.log")"
}
for _ in $(seq 150); do [ "$(up)" = 1 ] && break; sleep 0.2; done
if [ "$(up)" = 1 ]; then pass "Prometheus scrapes the broker as job dx-broker"; else fail "Prometheus scrapes the broker as job dx-broker" "$(tail -3 "$T/prom.log")"; fi
sleep 2
if [ -z "$(alerts)" ]; then pass "a healthy broker raises no alert"; else fail "a healthy broker raises no alert" "$(alerts | tr '\n' ';')"; fi
printf 'version: 1\nmembers: [oops\n' > "$T/policies/zz-bad.yaml"
kill -HUP "$BROKER_PID"
wait_alert "a refused reload raises DxPolicyReloadFailed at once" "DxPolicyReloadFailed firing"
rm "$T/policies/zz-bad.yaml"
kill -HUP "$BROKER_PID"
wait_alert "a good reload clears it" none
stop_broker
wait_alert "a stopped broker: DxBrokerDown pending (it fires after a minute)" "DxBrokerDown pending"
