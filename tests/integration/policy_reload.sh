# Policy sets at start and on SIGHUP: a bad set stops the broker from
# starting with file:line:col errors; a bad reload keeps the last good set
# and is recorded; a good reload takes effect at the next request.
. "$(dirname "$0")/lib.sh"
setup_exchange

printf 'version: 1\nrules:\n  - id: broken\n    effect: allow\n    actions: [read]\n    members: [nobody]\n    datasets: ["x/**"]\n' > "$T/policies/zz-bad.yaml"
check "dx-admin policy check reports the error (exit 1)" 1 "$BIN/dx-admin" policy check "$T/policies"
check_grep "as file:line:col" "$T/err" "zz-bad.yaml:6:14: error: rule 'broken' names unknown member 'nobody'"
"$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" >"$T/out" 2>"$T/err" &
pid=$!
for i in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
  kill -KILL $pid
  fail "a broker with a bad policy set does not start" "it runs"
else
  wait $pid
  st=$?
  [ $st = 1 ] && pass "a broker with a bad policy set does not start (exit 1)" || fail "a broker with a bad policy set does not start (exit 1)" "exit $st"
fi
check_grep "and says where" "$T/err" "zz-bad.yaml:6:14"
rm "$T/policies/zz-bad.yaml"

MP=$(free_port)
start_broker --metrics-listen "127.0.0.1:$MP" || exit 1
fetch_metrics() { /usr/bin/python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$MP/metrics"; }
status() { "$BIN/dx-admin" status "$@" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/office.key" --timeout 10; }
check "status before any reload: healthy" 0 status
check_grep "and says no reload happened" "$T/out" "^last reload: +none since the start"
sample_csv "$T/d.csv"
check "health publishes" 0 agent health publish health/vaccination/x "$T/d.csv"

# a bad reload: the last good set stays
printf 'version: 1\nmembers: [oops\n' > "$T/policies/zz-bad.yaml"
kill -HUP "$BROKER_PID"
for i in $(seq 50); do grep -q "policy-refused" "$BROKER_LOG" && break; sleep 0.1; done
check_grep "a bad reload is refused" "$BROKER_LOG" "policy-refused"
check "the broker still serves with the last good set" 0 agent statistics fetch health/vaccination/x --purpose statistics -o "$T/s.csv"
check "the refused reload is in the audit log" 0 audit auditor query --action policy_load --decision error --format csv
check_grep "with its reason" "$T/out" "reload refused.*zz-bad.yaml"
check_grep "the SIGHUP's record names who sent it" "$T/out" "reload refused.*\(by SIGHUP from pid [0-9]+ \(uid $(id -u)"
check_grep "the log line is an event with the sender and what to do" "$BROKER_LOG" "policy-refused by=\"SIGHUP from pid [0-9]+ \(uid $(id -u).*do=\"fix the policy files"
# day two: the operator looks where monitoring looks
check "status after a refused reload: unhealthy (exit 1)" 1 status
check_grep "status says why" "$T/out" "^status: +unhealthy: the last policy reload was refused"
check_grep "status shows the refused set and its first error" "$T/out" "^refused set: +sha256 [0-9a-f]{64}: .*zz-bad.yaml:[0-9]+:[0-9]+: error"
check_grep "and who asked, when" "$T/out" "^last reload: .* by SIGHUP from pid [0-9]+ .*REFUSED, the set above stays in force"
check "status as JSON" 1 status --format json; cp "$T/out" "$T/status.json"
check "is one valid JSON object with the reload" 0 /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["healthy"] is False and d["last_reload_ok"] is False and len(d["refused_policy_sha256"])==64 and "zz-bad.yaml" in d["refused_reason"], d' "$T/status.json"
check "metrics after a refused reload" 0 fetch_metrics
check_grep "the last reload's result is a metric" "$T/out" "^dx_policy_reload_success 0$"
check_grep "with its time" "$T/out" "^dx_policy_reload_timestamp_seconds [1-9][0-9]{9}"
check_grep "refusals are counted" "$T/out" '^dx_policy_reloads_total\{result="refused"\} 1$'
check_grep "and the refused set is named" "$T/out" '^dx_policy_refused_info\{sha256="[0-9a-f]{64}"\} 1$'
rm "$T/policies/zz-bad.yaml"

# the data office reloads through the broker's socket (role admin only)
admin() {
  "$BIN/dx-admin" reload --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/$1.key" --timeout 10
}
check "an admin reloads the set" 0 admin office
check_grep "and is told what is in force" "$T/out" "policy set loaded: 5 members, 1 namespaces, 2 rules; sha256 [0-9a-f]{64}"
check "a non-admin may not (exit 3)" 3 admin health
check_grep "saying why" "$T/err" "does not have the role admin"
printf 'version: 1\nrules:\n  - id: r\n    effect: allow\n    actions: [read]\n    members: [ghost]\n    datasets: ["x/**"]\n    not_after: 2026-13-01T00:00:00Z\n' > "$T/policies/zz-bad.yaml"
check "a bad set is refused to the admin (exit 1)" 1 admin office
check_grep "with every error, located" "$T/err" "zz-bad.yaml:8:16: error: 'not_after' is not an RFC 3339 time"
check_grep "and says the last good set stays" "$T/err" "the broker keeps the set with sha256"
check "metrics after the admin's refused reload" 0 fetch_metrics
check_grep "a refused dx-admin reload is counted as refused" "$T/out" '^dx_requests_total\{type="reload",decision="deny"\} [1-9]'
rm "$T/policies/zz-bad.yaml"
check "the broker still serves" 0 agent statistics list
check "each attempt is in the audit log, with who asked" 0 audit auditor query --action reload --format csv
check_grep "the admin's good reload" "$T/out" ",policy_load,office,reload,.*,ok,"
check_grep "the admin's refused reload" "$T/out" ",policy_load,office,reload,.*,error,.*reload refused"
good=$(grep ',policy_load,office,reload,.*,ok,' "$T/out" | tail -n 1)
bad=$(grep ',policy_load,office,reload,.*,error,' "$T/out" | tail -n 1)
[ "$(echo "$good" | cut -d, -f8)" = "$(echo "$good" | rev | cut -d, -f1 | rev)" ] && pass "a good load records the hash of the set now in force" || fail "a good load records the hash of the set now in force" "$good"
bad_tried=$(echo "$bad" | cut -d, -f8); bad_kept=$(echo "$bad" | rev | cut -d, -f1 | rev)
[ ${#bad_tried} = 64 ] && [ "$bad_tried" != "$bad_kept" ] && pass "a refused load records the hash of the set it refused" || fail "a refused load records the hash of the set it refused" "$bad"
check_grep "the refused non-admin" "$T/out" ",policy_load,health,reload,.*,deny,default-deny"

# revoke statistics while it holds a connection: its next request on that
# same connection is refused, and so is any new handshake
"$TOOLS/dx-rawsend" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/statistics.key" --timeout 5 hold 3 >"$T/held" 2>&1 &
held=$!
for i in $(seq 50); do grep -q "^first:" "$T/held" && break; sleep 0.1; done
sed -i '/id: statistics/,/transport_key/ s/^\(    roles: .*\)$/\1\n    revoked: true/' "$T/policies/members.yaml"
check "the edited set is valid" 0 "$BIN/dx-admin" policy check "$T/policies"
kill -HUP "$BROKER_PID"
for i in $(seq 50); do [ "$(grep -c 'policy-loaded' "$BROKER_LOG")" -ge 1 ] && break; sleep 0.1; done
wait $held
check_grep "before the reload its connection was served" "$T/held" "^first: ok"
check_grep "after it, its next request on the same connection is refused" "$T/held" "^reply: member 'statistics' is revoked"
t_first=$(date +%s)
check "a revoked member is refused after the reload (exit 3 at the handshake, not 5)" 3 agent statistics list
check_grep "saying the broker does not admit the key" "$T/err" "refused our key at the handshake: it is not a current member key"
check_grep "the broker's log line names the member" "$BROKER_LOG" "handshake-refused member=statistics .*reason=\"member revoked\""
for i in 1 2 3 4 5; do agent statistics list >/dev/null 2>&1; done
check "the refused handshakes are in the audit log" 0 audit auditor query --action connect --member statistics --format csv
check_grep "the first at once, with the key and why" "$T/out" ",handshake,statistics,connect,.*,deny,default-deny,\"?handshake refused at .*: key curve:.*: member revoked"
n=$(grep -c ',handshake,statistics,connect,' "$T/out")
# within one minute: the first record alone so far; across a minute's end
# (a slow machine): that minute's summary and the next one's first, no more
if [ $((t_first / 60)) = $(($(date +%s) / 60)) ]; then want=1; else want=3; fi
if [ "$n" -ge 1 ] && [ "$n" -le "$want" ]; then pass "the rest of the minute is not one record each"; else fail "the rest of the minute is not one record each" "$n records (at most $want)"; fi
check "status after a good reload: healthy again" 0 status
check_grep "saying who loaded what" "$T/out" "^last reload: .* by SIGHUP from pid [0-9]+ .*: loaded"
check "metrics after a good reload" 0 fetch_metrics
check_grep "the last reload succeeded" "$T/out" "^dx_policy_reload_success 1$"
check "the good reload is in the audit log" 0 audit auditor query --action policy_load --decision ok --format csv
[ "$(grep -c policy_load "$T/out")" -ge 2 ] && pass "two good loads recorded" || fail "two good loads recorded" "$(cat "$T/out")"
# every set that was in force is kept, and an auditor prints it by its hash
stop_broker
check "after the stop, the minute's other refusals are one record" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" query --action connect --member statistics --format csv
check_grep "with their count" "$T/out" ",handshake,statistics,connect,.*\"?[0-9]+ more handshakes refused between"
start_broker || exit 1
check "the log verifies" 0 audit auditor verify
check "the set records" 0 audit auditor query --action reload --decision ok --format csv
first=$(grep ',policy_load,office,reload,' "$T/out" | head -1 | cut -d, -f8)
check "an auditor prints a set that was in force" 0 audit auditor policy "$first"
check_grep "with each file" "$T/out" "^==> members.yaml \([0-9]+ bytes\) <==$"
check_grep "as it was (statistics not yet revoked)" "$T/out" "id: statistics"
if grep -q "revoked: true" "$T/out"; then fail "the old set, not today's" "revoked in it"; else pass "the old set, not today's"; fi
check "or writes its files" 0 audit auditor policy "$first" --out "$T/old-set"
check "which load and explain a decision of that time" 0 "$BIN/dx-admin" policy explain "$T/old-set" --member statistics --action read --dataset health/vaccination/x --purpose statistics
check "offline too" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" policy "$first"
check "a set never in force: exit 1" 1 audit auditor policy "$(printf '%064d' 0)"
check "a bad hash: usage (exit 2)" 2 audit auditor policy abc
check "a member that is not an auditor may not (exit 3)" 3 audit health policy "$first"
