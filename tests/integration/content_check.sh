#!/usr/bin/env bash
# Day two: content that claims CSV or JSON Lines but that the views' strict
# reader cannot read is refused at publish, with the line and why, inline
# and streamed; a view that stops later is shown to the publisher.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
start_broker || exit 1

# a spreadsheet's "CSV": semicolons, CRLF
printf 'national_id;name;region;vaccinated\r\n1001;Doe;north;yes\r\n' > "$T/excel.csv"
check "an Excel semicolon CSV as text/csv is refused at publish" 1 agent health publish health/vaccination/excel "$T/excel.csv"
check_grep "with the line and why" "$T/err" "declared text/csv, but the broker's strict reader stops at line 1: .*"
check_grep "and what to do" "$T/err" "publish it as application/octet-stream"
check "the version does not exist" 1 agent statistics info health/vaccination/excel
check "the same bytes as application/octet-stream are taken" 0 agent health publish health/vaccination/excel-raw "$T/excel.csv" --content-type application/octet-stream

# streamed: 3 MiB of good rows, then one the reader refuses
{ printf 'national_id,name,region,vaccinated\n'
  for i in $(seq 60000); do printf '%d,Name %d,north,yes\n' "$i" "$i"; done
  printf '9,"unterminated,north,yes\n'; } > "$T/big.csv"
lines=$(wc -l < "$T/big.csv")
check "a 2 MiB CSV with a broken row near its end is refused at publish" 1 agent health publish health/vaccination/big "$T/big.csv"
check_grep "naming the line" "$T/err" "stops at line $lines: "
check "nothing of it is stored" 1 agent statistics info health/vaccination/big
head -n -1 "$T/big.csv" > "$T/good.csv"
check "without that row it is taken" 0 agent health publish health/vaccination/big "$T/good.csv"

printf '{"a":1}\n{"a":2,"a":3}\n' > "$T/dup.jsonl"
check "JSON Lines with a key twice is refused" 1 agent health publish health/vaccination/j "$T/dup.jsonl" --content-type application/x-ndjson
check_grep "at line 2" "$T/err" "stops at line 2: "
check "the refusals are recorded" 0 audit auditor query --action publish --decision deny --format csv
check_grep "under rule content-format" "$T/out" ",publish,health,publish,health/vaccination/excel,.*,deny,content-format,"

# a view that stops later (the rule excludes a column this file lacks):
# the consumer is told the line; the publisher sees why
printf 'name,region,vaccinated\nDoe,north,yes\n' > "$T/noid.csv"
check "a CSV without national_id is valid and published" 0 agent health publish health/vaccination/noid "$T/noid.csv"
check "statistics's view of it stops" 1 agent statistics fetch health/vaccination/noid --purpose statistics -o "$T/v.csv"
check_grep "the consumer is told where to look" "$T/err" "publisher sees why in dx-agent deliveries"
check "the publisher asks who received it" 0 agent health deliveries health/vaccination/noid
check_grep "and sees the refused view and why" "$T/out" "statistics +statistics .* filtered +VIEW REFUSED \\(record [0-9]+\\): .*national_id"
