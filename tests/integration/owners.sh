#!/usr/bin/env bash
# Day two: a department lists, inspects and fetches its own data without
# a rule of its own (rule owner): the namespace's owner, and a version's
# publisher in another's namespace. Nobody else learns anything new.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
# statistics may publish its returns into the health namespace (under a rule)
cat >> "$T/policies/rules.yaml" <<'YAML'

  - id: stats-returns
    effect: allow
    actions: [publish]
    members: [statistics]
    datasets: ["health/returns/**"]
    max_classification: internal
YAML
check "the policy set with the publish rule is valid" 0 "$BIN/dx-admin" policy check "$T/policies"
start_broker || exit 1
sample_csv "$T/v.csv"
check "health publishes vaccination data" 0 agent health publish health/vaccination/q1 "$T/v.csv"
check "health publishes something no rule shares" 0 agent health publish health/registry/staff "$T/v.csv"
check "statistics publishes its return into health" 0 agent statistics publish health/returns/2026 "$T/v.csv" --classification internal

# the owner of health/** sees everything in it, whole, for any purpose
check "the owner lists its namespace" 0 agent health list 'health/**'
for n in health/vaccination/q1 health/registry/staff health/returns/2026; do
  check_grep "the owner's list shows $n" "$T/out" "^$n "
done
check "the owner's info" 0 agent health info health/registry/staff
check_grep "with the version" "$T/out" "^version: +1"
check "the owner fetches for a purpose no rule names" 0 agent health fetch health/registry/staff --purpose restore-check -o "$T/o.csv"
check "whole, not a view" 0 cmp "$T/v.csv" "$T/o.csv"

# the publisher of a version in another's namespace sees that version
check "the publisher lists what it published" 0 agent statistics list 'health/returns/**'
check_grep "its version is there" "$T/out" "^health/returns/2026 "
check "the publisher's info" 0 agent statistics info health/returns/2026
check "the publisher fetches it whole" 0 agent statistics fetch health/returns/2026 --purpose checking -o "$T/r.csv"
check "the same bytes" 0 cmp "$T/v.csv" "$T/r.csv"

# nobody else: the same answer as for a name that does not exist
check "another member's info on the owner's data" 3 agent statistics info health/registry/staff
cp "$T/err" "$T/err.exists"
check "and on a name that does not exist" 3 agent statistics info health/registry/nothing
if [ "$(sed 's/staff/X/' "$T/err.exists")" = "$(sed 's/nothing/X/' "$T/err")" ]; then pass "the two answers are the same words"; else fail "the two answers are the same words" "$(cat "$T/err.exists" "$T/err")"; fi
check "education (a deny rule on health/**) cannot see statistics's return" 3 agent education info health/returns/2026
check "statistics's list shows no health data it may not see" 0 agent statistics list 'health/**'
if grep -q "health/registry" "$T/out"; then fail "no registry in statistics's list" "$(cat "$T/out")"; else pass "no registry in statistics's list"; fi

# the auditor sees the rule that let them
check "the records" 0 audit auditor query --action read --format csv
check_grep "the owner's read is recorded under rule owner" "$T/out" ",read,health,read,health/registry/staff,1,.*,restore-check,allow,owner,health owns namespace health/\*\*"
check_grep "the publisher's read too" "$T/out" ",read,statistics,read,health/returns/2026,1,.*,checking,allow,owner,statistics published health/returns/2026@1"
check "explain says owners and publishers may" 3 "$BIN/dx-admin" policy explain "$T/policies" --member statistics --action read --dataset health/returns/2026 --purpose checking
check_grep "explain's line" "$T/out" "publisher of a version may always list and read it"
