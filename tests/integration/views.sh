# Field views through the broker: CSV and JSON Lines, include and exclude,
# a dataset that does not parse (the transfer stops, nothing unfiltered
# leaves), a type that cannot be filtered (refused), a transfer that
# finishes under the rule it started with although the policy changed, and
# a rule that expires without a reload.
. "$(dirname "$0")/lib.sh"
setup_exchange
cat >> "$T/policies/rules.yaml" <<'YAML'

  - id: stats-reads-registry
    effect: allow
    actions: [read]
    members: [statistics]
    datasets: ["health/registry/*"]
    purposes: [statistics]
    fields:
      include: [region, count]
YAML
start_broker || exit 1

printf '{"national_id":"1001","name":"Ann","region":"north","visits":[1,{"x":2}]}\n{"name":"Bob","national_id":"1002","region":"south","visits":[]}\n' > "$T/v.jsonl"
check "health publishes JSON Lines" 0 agent health publish health/vaccination/jsonl "$T/v.jsonl"
check "statistics fetches the JSON Lines view" 0 agent statistics fetch health/vaccination/jsonl --purpose statistics -o "$T/v.out"
printf '{"name":"Ann","region":"north","visits":[1,{"x":2}]}\n{"name":"Bob","region":"south","visits":[]}\n' > "$T/want"
cmp -s "$T/v.out" "$T/want" && pass "national_id is gone, nested values kept whole" || fail "national_id is gone, nested values kept whole" "$(cat "$T/v.out")"

printf 'region,count,name\nnorth,3,"A, B"\nsouth,4,C\n' > "$T/r.csv"
check "health publishes a registry" 0 agent health publish health/registry/2026 "$T/r.csv"
check "statistics gets only the included columns" 0 agent statistics fetch health/registry/2026 --purpose statistics -o "$T/r.out"
printf 'region,count\nnorth,3\nsouth,4\n' > "$T/want"
cmp -s "$T/r.out" "$T/want" && pass "include keeps region and count" || fail "include keeps region and count" "$(cat "$T/r.out")"

printf 'national_id,name,region,vaccinated\n1,Ann,north,yes\n2,Bob,"south\n' > "$T/bad.csv"
check "a malformed CSV is refused at publish (content_check.sh has more)" 1 agent health publish health/vaccination/bad "$T/bad.csv"
check_grep "saying where" "$T/err" "stops at line 3: unterminated quoted field"
# What the strict reader accepts can still stop a view: a late row with a
# key that is an excluded one spelled otherwise. Past the first chunk,
# nothing of the view leaks and nothing is left.
python3 - "$T/late.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(40000):
        f.write(f'{{"national_id":{100000+i},"name":"Person {i}","region":"north"}}\n')
    f.write('{"National ID":999999,"name":"Leak","region":"north"}\n')
PY
check "health publishes large JSON Lines with a late look-alike key" 0 agent health publish health/vaccination/late "$T/late.jsonl"
check "the view stops at that row (exit 1)" 1 agent statistics fetch health/vaccination/late --purpose statistics -o "$T/late.out"
check_grep "saying where" "$T/err" "the view stopped at line 40001"
grep -q "National" "$T/err" && fail "but not what is wrong with the data (it may describe removed fields)" "$(cat "$T/err")" || pass "but not what is wrong with the data (it may describe removed fields)"
[ ! -e "$T/late.out" ] && ! ls "$T"/late.out.* >/dev/null 2>&1 && pass "no partial output is kept" || fail "no partial output is kept" "file exists"
check "the stop is in the audit log" 0 audit auditor query --dataset health/vaccination/late --decision error --format csv
check_grep "as an error under the rule" "$T/out" "read,statistics,read,health/vaccination/late,1,.*,error,stats-reads-vaccination,\"?the view stopped"
check_grep "the audit record says why" "$T/out" "line 40001: "

head -c 1000 /dev/urandom > "$T/blob.bin"
check "health publishes a binary dataset" 0 agent health publish health/vaccination/blob "$T/blob.bin"
check "a field rule on an unfilterable type refuses (exit 3)" 3 agent statistics fetch health/vaccination/blob --purpose statistics -o "$T/blob.out"
check_grep "rather than sending it whole" "$T/err" "cannot be filtered: the unfiltered bytes are not released"

# a transfer in flight finishes under the rule it started with
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('national_id,name,region,vaccinated\n')
    for i in range(120000): f.write(f'{i},Name {i},north,yes\n')
" "$T/big.csv"
check "health publishes a 3 MiB CSV" 0 agent health publish health/vaccination/big "$T/big.csv"
"$TOOLS/dx-fetch-steps" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/statistics.key" health/vaccination/big statistics 3 > "$T/steps" 2>&1 &
steps=$!
for i in $(seq 50); do grep -q started "$T/steps" && break; sleep 0.1; done
sed -i '/id: stats-reads-vaccination/,/not_after/ s/purposes: \[statistics\]/purposes: [research]/' "$T/policies/rules.yaml"
kill -HUP "$BROKER_PID"
for i in $(seq 50); do grep -q "policy-loaded" "$BROKER_LOG" && break; sleep 0.1; done
wait $steps
check_grep "the transfer in flight finished under its rule" "$T/steps" "^done [3-9] "
check "a new fetch is decided by the new set (exit 3)" 3 agent statistics fetch health/vaccination/big --purpose statistics -o "$T/x"

# a rule that expires stops matching without a reload
until=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
cat >> "$T/policies/rules.yaml" <<YAML

  - id: brief
    effect: allow
    actions: [read]
    members: [education]
    datasets: ["health/registry/*"]
    purposes: [planning]
    not_after: $until
YAML
sed -i '/id: education-not-health/,/datasets/ s#datasets: \["health/\*\*"\]#datasets: ["health/vaccination/**"]#' "$T/policies/rules.yaml"
kill -HUP "$BROKER_PID"
for i in $(seq 50); do [ "$(grep -c 'policy-loaded' "$BROKER_LOG")" -ge 2 ] && break; sleep 0.1; done
check "before its not_after the rule allows" 0 agent education fetch health/registry/2026 --purpose planning -o "$T/e1"
sleep 4
check "after it, the same fetch is refused, without a reload (exit 3)" 3 agent education fetch health/registry/2026 --purpose planning -o "$T/e2"
check_grep "because the rule expired" "$T/err" "rule 'brief' has expired"
check "the log verifies" 0 audit auditor verify
audit auditor query --format csv > /tmp/views-audit.csv
