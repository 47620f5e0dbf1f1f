# The whole exchange through the real programs: publish, filtered and
# unfiltered fetch, list and info, refusals by policy, audit query and
# verification online and offline.
. "$(dirname "$0")/lib.sh"
setup_exchange
start_broker || exit 1

sample_csv "$T/vacc.csv"
check "health publishes" 0 agent health publish health/vaccination/2026-q3 "$T/vacc.csv" --classification restricted
check_grep "the receipt names version 1" "$T/out" "published health/vaccination/2026-q3 version 1"
check "a second publish is version 2" 0 agent health publish health/vaccination/2026-q3 "$T/vacc.csv" --classification restricted
check_grep "version 2" "$T/out" "version 2 "

check "statistics fetches the filtered view" 0 agent statistics fetch health/vaccination/2026-q3 --purpose statistics -o "$T/stats.csv"
check_grep "it says the view is filtered" "$T/out" "filtered view by rule stats-reads-vaccination"
printf 'name,region,vaccinated\n"Doe, Jane",north,yes\n"O""Brien, Pat",south,no\n"Multi\nLine",east,yes\n' > "$T/want.csv"
if cmp -s "$T/stats.csv" "$T/want.csv"; then pass "the view has no national_id column"; else fail "the view has no national_id column" "$(cat "$T/stats.csv")"; fi

check "health fetches its own dataset whole" 0 agent health fetch health/vaccination/2026-q3@1 --purpose operations -o "$T/own.csv"
[ "$(sha "$T/own.csv")" = "$(sha "$T/vacc.csv")" ] && pass "the bytes are the published bytes" || fail "the bytes are the published bytes" "hash differs"

check "education is refused (exit 3)" 3 agent education fetch health/vaccination/2026-q3 --purpose statistics -o "$T/edu.csv"
check_grep "the refusal names the deny rule" "$T/err" "education-not-health"
[ ! -e "$T/edu.csv" ] && ! ls "$T"/edu.csv.* >/dev/null 2>&1 && pass "a refused fetch writes no file" || fail "a refused fetch writes no file" "file exists"

check "a purpose the rule does not allow is refused (exit 3)" 3 agent statistics fetch health/vaccination/2026-q3 --purpose marketing -o "$T/m.csv"
check_grep "the refusal says why" "$T/err" "purpose 'marketing'"
check "a dataset that does not exist (exit 1)" 1 agent statistics fetch health/vaccination/1999 --purpose statistics -o "$T/x.csv"
check "a namespace one may not read does not reveal what exists (exit 3)" 3 agent statistics fetch health/secret/x --purpose statistics -o "$T/x.csv"

check "list shows what statistics may see" 0 agent statistics list
check_grep "the list has the dataset" "$T/out" "health/vaccination/2026-q3 +2 "
check "list shows education nothing" 0 agent education list
[ "$(wc -l < "$T/out")" = 1 ] && pass "education's list is empty" || fail "education's list is empty" "$(cat "$T/out")"
check "info shows metadata" 0 agent statistics info health/vaccination/2026-q3@1
check_grep "info has the classification" "$T/out" "classification: restricted"
check "info is refused to education (exit 3)" 3 agent education info health/vaccination/2026-q3

check "the auditor queries the log" 0 audit auditor query
check_grep "the query shows the refusal" "$T/out" "education +read .*deny +education-not-health"
check "json output" 0 audit auditor query --format json --member education
if python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["member"] == "education" for r in rows)
assert any(r["decision"] == "deny" and r["rule"] == "education-not-health" for r in rows)
assert all(len(r["policy_sha256"]) == 64 for r in rows)
' "$T/out"; then pass "json is one object per line with the fields"; else fail "json is one object per line with the fields" "$(head -c 300 "$T/out")"; fi
check "csv output with filters" 0 audit auditor query --format csv --action publish --decision allow --dataset 'health/**' --limit 1
[ "$(wc -l < "$T/out")" = 2 ] && pass "csv has a header and --limit rows" || fail "csv has a header and --limit rows" "$(cat "$T/out")"
check "time filters" 0 audit auditor query --since 2000-01-01 --until 2000-12-31
[ "$(wc -l < "$T/out")" = 1 ] && pass "nothing in 2000" || fail "nothing in 2000" "$(cat "$T/out")"
check "a non-auditor may not query (exit 3)" 3 audit statistics query
check "verify online" 0 audit auditor verify
check_grep "verified" "$T/out" "audit log verified: [0-9]+ records"
check "verify offline while the broker runs" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" verify
check "the refused query was recorded" 0 audit auditor query --member statistics --action audit --format csv
check_grep "as a deny" "$T/out" "statistics,query,.*,deny,default-deny"

stop_broker && pass "the broker stops cleanly on SIGTERM" || fail "the broker stops cleanly on SIGTERM" "status $?"
check "verify offline after stop" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" verify
check "offline query" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" query --action broker_stop --format csv
check_grep "the stop is in the log" "$T/out" "broker_stop"
