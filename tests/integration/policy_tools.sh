# The data office's tools: check, explain and test, on the example set and
# on sets that are wrong.
. "$(dirname "$0")/lib.sh"
setup_exchange
P=$T/policies

check "the example set checks clean" 0 "$BIN/dx-admin" policy check "$P"
check_grep "with no warnings" "$T/out" "0 warning"
check "explain an allowed read" 0 "$BIN/dx-admin" policy explain "$P" --member statistics --action read --dataset health/vaccination/2026-q3 --purpose statistics
check_grep "names the rule" "$T/out" "rule: +stats-reads-vaccination"
check_grep "shows the fields" "$T/out" "fields: +all except national_id"
check_grep "marks the deciding rule" "$T/out" "stats-reads-vaccination .*matches  <- decides"
check "explain a refused purpose (exit 3)" 3 "$BIN/dx-admin" policy explain "$P" --member statistics --action read --dataset health/vaccination/2026-q3 --purpose marketing
check_grep "shows the near miss" "$T/out" "stats-reads-vaccination .*does not allow this purpose"
check "explain at a later time" 3 "$BIN/dx-admin" policy explain "$P" --member statistics --action read --dataset health/vaccination/x --purpose statistics --at 2031-01-01T00:00:00Z
check_grep "shows the expiry" "$T/out" "has expired"
check "explain a classification too high" 3 "$BIN/dx-admin" policy explain "$P" --member statistics --action read --dataset health/vaccination/x --purpose statistics --classification secret
check_grep "says so" "$T/out" "allows a lower classification"
check "explain: bad --at (exit 2)" 2 "$BIN/dx-admin" policy explain "$P" --member statistics --action read --dataset x --at yesterday

check "the example's expectations pass" 0 "$BIN/dx-admin" policy test "$P"
check_grep "with a count" "$T/out" "^12 passed, 0 failed"
cat > "$P/tests/wrong.yaml" <<'YAML'
version: 1
tests:
  - name: a wrong expectation
    member: education
    action: read
    dataset: health/vaccination/2026-q3
    purpose: statistics
    expect: allow
YAML
check "a failing expectation (exit 1)" 1 "$BIN/dx-admin" policy test "$P"
check_grep "says what differed and where" "$T/out" "FAIL a wrong expectation: .*wrong.yaml:3: expected allow, got deny by education-not-health"
check_grep "and counts it" "$T/out" "^12 passed, 1 failed"
printf 'version: 1\ntests:\n  - name: x\n    member: education\n' > "$P/tests/wrong.yaml"
check "a malformed expectation file (exit 1)" 1 "$BIN/dx-admin" policy test "$P"
check_grep "is reported with its place" "$T/err" "wrong.yaml:3:5: error: test has no 'action'"
rm "$P/tests/wrong.yaml"

# several problems in several files: all reported
printf 'version: 1\nmembers:\n  - id: x1\n    roles: [boss]\n' > "$P/zz-1.yaml"
printf 'version: 1\nrules:\n  - id: bad rule\n    effect: allow\n' > "$P/zz-2.yaml"
check "check reports every error (exit 1)" 1 "$BIN/dx-admin" policy check "$P"
n=$(grep -c ': error: ' "$T/err")
[ "$n" -ge 5 ] && pass "all $n errors, from both files" || fail "all errors, from both files" "$(cat "$T/err")"
check_grep "the summary counts them" "$T/err" "dx-admin: .*: [0-9]+ error\(s\)"
rm "$P"/zz-*.yaml
# a huge file is refused, not parsed forever
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' '#' > "$P/zz-huge.yaml"
check "a file over 1 MiB is refused" 1 "$BIN/dx-admin" policy check "$P"
check_grep "saying why" "$T/err" "zz-huge.yaml:1:1: error: cannot read the file: larger than 1 MiB"
