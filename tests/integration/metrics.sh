#!/usr/bin/env bash
# --metrics-listen: Prometheus text exposition over HTTP, checked by
# promtool and scraped by a real Prometheus server, which then answers a
# query for the publish count.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
MP=$(free_port)
start_broker --metrics-listen "127.0.0.1:$MP" || exit 1
URL=http://127.0.0.1:$MP/metrics
sample_csv "$T/v.csv"
for i in 1 2 3; do agent health publish "health/vaccination/m$i" "$T/v.csv" >/dev/null; done
check "a refused fetch" 3 agent education fetch health/vaccination/m1 --purpose statistics -o "$T/x"
check "a filtered fetch" 0 agent statistics fetch health/vaccination/m1 --purpose statistics -o "$T/x"
fetch_metrics() { /usr/bin/python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
check "GET /metrics" 0 fetch_metrics "$URL"
cp "$T/out" "$T/metrics.txt"
for m in 'dx_requests_total\{type="publish",decision="allow"\} 3' 'dx_requests_total\{type="fetch",decision="deny"\} 1' \
         'dx_refusals_total\{reason="denied"\} 1' 'dx_received_bytes_total [1-9]' 'dx_sent_bytes_total [1-9]' \
         'dx_request_duration_seconds_count\{type="publish"\} 3' 'dx_commit_seconds_count [1-9]' \
         'dx_commit_group_size_count [1-9]' 'dx_handshakes_total\{result="accepted"\} [1-9]' 'dx_connections [0-9]' \
         'dx_open_transfers 0' 'dx_audit_records [1-9]' 'dx_audit_head_age_seconds [0-9.]+' \
         'dx_store_bytes [1-9]' 'dx_store_map_bytes [1-9]' 'dx_policy_info\{sha256="[0-9a-f]{64}"\} 1' \
         'dx_policy_loaded_timestamp_seconds [1-9]' 'dx_build_info\{version="[^"]+"\} 1'; do
  check_grep "metric ${m%% *}" "$T/metrics.txt" "^$m"
done
if command -v promtool >/dev/null; then
  check "promtool check metrics" 0 sh -c "promtool check metrics < '$T/metrics.txt'"
  check "promtool: no lint problems" 0 test ! -s "$T/err"
else
  echo "# skipped promtool: not installed"
fi
# a handshake with a key that is not a member's is counted as refused
"$BIN/dx-admin" keygen stranger --out "$T/keys" >/dev/null 2>&1
check "a stranger is refused (exit 3)" 3 agent stranger list
check "GET /metrics again" 0 fetch_metrics "$URL"
check_grep "the refused handshake is counted" "$T/out" '^dx_handshakes_total\{result="refused"\} [1-9]'
check "anything but /metrics is 404" 0 /usr/bin/python3 -c '
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=5); sys.exit(1)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 404 else 1)' "http://127.0.0.1:$MP/other"
check "a bad --metrics-listen is refused" 2 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/d2" \
  --policies "$T/policies" --key "$T/keys/broker.key" --metrics-listen nowhere
check_grep "it says what it expects" "$T/err" "ADDRESS:PORT"

# a real Prometheus server scrapes the broker and answers a query
if command -v prometheus >/dev/null; then
  PP=$(free_port)
  cat > "$T/prometheus.yml" <<Y
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: dx
    static_configs:
      - targets: ["127.0.0.1:$MP"]
Y
  prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
    --web.listen-address="127.0.0.1:$PP" >"$T/prom.log" 2>&1 &
  PROM=$!
  query() { /usr/bin/python3 -c '
import json, sys, urllib.parse, urllib.request
q = urllib.parse.quote(sys.argv[2])
r = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/query?query=" + q, timeout=5))
res = r["data"]["result"]
print(res[0]["value"][1] if res else "")' "http://127.0.0.1:$PP" "$1" 2>/dev/null; }
  got=
  for _ in $(seq 150); do
    got=$(query 'dx_requests_total{type="publish",decision="allow"}')
    [ "$got" = 3 ] && break
    sleep 0.2
  done
  if [ "$got" = 3 ]; then pass "Prometheus scraped the broker: 3 publishes"; else fail "Prometheus scraped the broker: 3 publishes" "got '$got'; $(tail -3 "$T/prom.log")"; fi
  agent health publish health/vaccination/m4 "$T/v.csv" >/dev/null
  for _ in $(seq 100); do got=$(query 'sum(dx_requests_total{type="publish"})'); [ "$got" = 4 ] && break; sleep 0.2; done
  if [ "$got" = 4 ]; then pass "and sees the next one"; else fail "and sees the next one" "got '$got'"; fi
  up=$(query 'up{job="dx"}')
  if [ "$up" = 1 ]; then pass "the target is up"; else fail "the target is up" "up=$up"; fi
  kill "$PROM"; wait "$PROM" 2>/dev/null
else
  echo "# skipped the Prometheus server test: prometheus not installed"
fi
check "the log verifies" 0 audit auditor verify
