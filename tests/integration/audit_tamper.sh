# An attacker with write access to the stopped broker's data directory
# edits, deletes, reorders or truncates audit records: dx-audit verify finds
# each and names the record (exit 4); an untouched copy verifies.
. "$(dirname "$0")/lib.sh"
setup_exchange
start_broker || exit 1
sample_csv "$T/d.csv"
for i in 1 2 3; do agent health publish "health/vaccination/v$i" "$T/d.csv" >/dev/null; done
agent statistics fetch health/vaccination/v1 --purpose statistics -o "$T/s.csv" >/dev/null
agent education fetch health/vaccination/v1 --purpose statistics -o "$T/e.csv" >/dev/null 2>&1
stop_broker
cp -a "$T/data" "$T/pristine"

verify() { "$BIN/dx-audit" --db "$1" --broker-pub "$T/keys/broker.pub" verify; }
fresh() { rm -rf "$T/copy"; cp -a "$T/pristine" "$T/copy"; }

check "the untouched log verifies" 0 verify "$T/pristine"

fresh; "$TOOLS/dx-tamper" "$T/copy" edit 4
check "an edited record is found (exit 4)" 4 verify "$T/copy"
check_grep "and named" "$T/err" "record 4 was altered"

fresh; "$TOOLS/dx-tamper" "$T/copy" edit 1
check "an edited first record is found" 4 verify "$T/copy"
check_grep "and named" "$T/err" "record 1 was altered"

last=$("$BIN/dx-audit" --db "$T/pristine" --broker-pub "$T/keys/broker.pub" query --format csv | tail -n 1 | cut -d, -f1)
fresh; "$TOOLS/dx-tamper" "$T/copy" edit "$last"
check "an edited last record is found" 4 verify "$T/copy"
check_grep "and named" "$T/err" "record $last was altered"

fresh; "$TOOLS/dx-tamper" "$T/copy" delete 3
check "a deleted record is found" 4 verify "$T/copy"
check_grep "and named" "$T/err" "record 3 "

fresh; "$TOOLS/dx-tamper" "$T/copy" swap 2 5
check "reordered records are found" 4 verify "$T/copy"
check_grep "and named" "$T/err" "record 2 "

fresh; "$TOOLS/dx-tamper" "$T/copy" truncate 2
check "a truncated log is found" 4 verify "$T/copy"
check_grep "as removed from the end" "$T/err" "removed from the end"

fresh; "$BIN/dx-admin" keygen broker --out "$T/fake" >/dev/null 2>&1
check "a head checked with another broker key fails" 4 "$BIN/dx-audit" --db "$T/copy" --broker-pub "$T/fake/broker.pub" verify
check_grep "saying so" "$T/err" "not signed by the broker"

fresh; "$TOOLS/dx-tamper" "$T/copy" edit "$last"
check "a broker refuses to extend a log whose tip was altered (exit 1)" 1 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/copy" --policies "$T/policies" --key "$T/keys/broker.key"
check_grep "saying why" "$T/err" "does not match its last signed head"
fresh; "$TOOLS/dx-tamper" "$T/copy" truncate 1
check "nor one that was truncated" 1 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/copy" --policies "$T/policies" --key "$T/keys/broker.key"

fresh; "$TOOLS/dx-tamper" "$T/copy" edit 4
start_broker_on_copy() {
  "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/copy" --policies "$T/policies" --key "$T/keys/broker.key" >"$T/copy.log" 2>&1 &
  BROKER_PID=$!
  for i in $(seq 100); do
    EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$T/copy.log")
    [ -n "$EP" ] && return 0
    sleep 0.1
  done
  return 1
}
start_broker_on_copy
check "online verify finds the edit too, although the broker signed new heads since" 4 audit auditor verify
check_grep "and names it" "$T/err" "record 4 was altered"
stop_broker
