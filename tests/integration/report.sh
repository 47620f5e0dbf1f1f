#!/usr/bin/env bash
# dx-audit report: the data office's page. A real exchange (publishes,
# filtered and whole fetches, refusals, a fetch by an independent client
# that never signs its receipt, an erasure whose reason is HTML, a policy
# reload); the page is loaded by a real headless Chromium from a file,
# which takes a screenshot (not blank) and dumps the DOM: no script,
# nothing from elsewhere, no console error, every chart drew, and every
# number equals what dx-audit query counts over the same range. Then a
# range, an empty range, a log that does not verify (no page, exit 4), bad
# usage.
set -u
source "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then fail "chromium is installed" "scripts/deps.sh installs it (Debian chromium)"; exit 1; fi
setup_exchange
start_broker || exit 1
sample_csv "$T/d.csv"
for i in 1 2 3; do agent health publish "health/vaccination/a$i" "$T/d.csv" >/dev/null || fail "publish a$i" "$(cat "$T/err")"; done
agent health publish health/vaccination/a1 "$T/d.csv" >/dev/null
for i in 1 2; do agent statistics fetch "health/vaccination/a$i" --purpose statistics -o "$T/f$i.csv" >/dev/null; done
agent health fetch health/vaccination/a2 --purpose operations -o "$T/w.csv" >/dev/null
agent education fetch health/vaccination/a1 --purpose statistics -o "$T/x.csv" 2>/dev/null
agent education fetch health/vaccination/a2 --purpose research -o "$T/x.csv" 2>/dev/null
agent statistics list >/dev/null
# a consumer whose client takes the view and never signs a receipt
/usr/bin/python3 - "$EP" "$T/keys" > "$T/hostile.out" 2>&1 <<'PY'
import sys
sys.path.insert(0, "tests/attacks")
from hostile import Conn, Member, fetch
ready, data, err = fetch(Conn(sys.argv[1], Member(sys.argv[2], "statistics"), 10.0), "health/vaccination/a3", "statistics")
print("OK" if err is None and data else "WRONG %r" % (err,))
PY
check_grep "an independent client fetches without a receipt" "$T/hostile.out" "^OK$"
check "an erasure whose reason is HTML" 0 admin office erase health/vaccination/a1@1 --reason '<script>alert(1)</script> & <b>x</b>'
kill -HUP "$BROKER_PID"; sleep 1
agent statistics fetch health/vaccination/a2 --purpose statistics -o "$T/f2b.csv" >/dev/null

# chromium_page HTML PREFIX [WIDTH,HEIGHT]: PREFIX.png, PREFIX.dom, PREFIX.log
# (the sanitizer pass renders the first page only: Chromium is not what it
# checks, and a page without script is its own DOM)
RENDERED=0
chromium_page() {
  if [ "$BUILD" = build-san ] && [ "$RENDERED" -ge 1 ]; then
    cp "$1" "$2.dom" && : > "$2.log" && rm -f "$2.png"
    return
  fi
  RENDERED=$((RENDERED + 1))
  local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
               --disable-component-update --disable-sync --user-data-dir="$T/chromium" --enable-logging=stderr --v=0)
  timeout 90 "$CHROMIUM" "${flags[@]}" --screenshot="$2.png" --window-size="${3:-1280,4200}" "file://$1" >/dev/null 2>"$2.log" &&
  timeout 90 "$CHROMIUM" "${flags[@]}" --dump-dom "file://$1" >"$2.dom" 2>>"$2.log"
}
# expected: what dx-audit query counts (no code of the report's)
count() {  # CSV RANGE_CSV: the numbers, as "name value" lines
  /usr/bin/python3 - "$1" "$2" <<'PY'
import csv, collections, sys
whole = list(csv.DictReader(open(sys.argv[1])))
rng = {r["seq"] for r in csv.DictReader(open(sys.argv[2]))}
owner, settled, pending = {}, collections.Counter(), collections.Counter()
c = collections.Counter()
for r in whole:
    key = (r["member"], r["dataset"], r["version"])
    inr = r["seq"] in rng
    if r["event"] == "publish" and r["decision"] == "allow":
        owner[r["dataset"]] = r["member"]
        if inr:
            c["n-publishes"] += 1
    if (r["event"] == "delivery" and r["decision"] == "ok") or (r["event"] == "read" and r["decision"] == "error"):
        if pending[key]:
            pending[key] -= 1
    if not inr:
        continue
    if r["decision"] == "deny":
        c["n-refusals"] += 1
        c["refused-member " + (r["member"] or "(the broker)")] += 1
    if r["event"] == "read" and r["decision"] == "allow":
        c["n-exchanges"] += 1
        c["purpose " + (r["purpose"] or "(none)")] += 1
        c["dataset " + r["dataset"]] += 1
        c["pair %s>%s" % (owner.get(r["dataset"], "(unknown)"), r["member"])] += 1
        pending[key] += 1
c["n-unreceipted"] = sum(pending.values())
for k in ("n-publishes", "n-refusals", "n-exchanges"):
    c[k] += 0
for k in sorted(c):
    print(k, c[k])
PY
}
# the page's numbers in the same form
page_numbers() {
  /usr/bin/python3 - "$1" <<'PY'
import sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("number "):
        k, v = line[7:].split("=")
        if k in ("n-publishes", "n-refusals", "n-exchanges", "n-unreceipted"):
            print(k, v)
    elif line.startswith("table "):
        tid, cells = line[6:].split(": ", 1)
        c = cells.split("|")
        if tid == "chart-refused-member-table":
            print("refused-member", c[0], c[1])
        elif tid == "chart-purposes-table":
            print("purpose", c[0], c[1])
        elif tid == "chart-datasets-table":
            print("dataset", c[0], c[1])
        elif tid == "matrix-table":
            print("pair %s>%s" % (c[0], c[1]), c[2])
PY
}
page_ok() {  # PREFIX WHAT: the checks every page passes
  local p=$1 what=$2
  local png=$p.png
  [ -e "$png" ] || png=-   # the sanitizer pass: not rendered (see chromium_page)
  /usr/bin/python3 tests/lib/page_check.py "$png" "$p.dom" > "$p.check" 2>&1 || { fail "$what: the page checks run" "$(tail -3 "$p.check")"; return; }
  local colours inked
  read -r colours inked <<<"$(sed -n 's/^screenshot [0-9x]* colours \([0-9]*\) inked \([0-9.]*\)$/\1 \2/p' "$p.check")"
  if [ "$png" = - ]; then :
  elif [ "${colours:-0}" -ge 8 ] && /usr/bin/python3 -c "import sys; sys.exit(0 if float('${inked:-0}') > 0.01 else 1)"; then
    pass "$what: the screenshot is not blank ($colours colours, ${inked} inked)"
  else fail "$what: the screenshot is not blank" "$(head -1 "$p.check")"; fi
  check_grep "$what: no script in the DOM" "$p.check" "^scripts 0$"
  check_grep "$what: nothing from elsewhere" "$p.check" "^external 0 $"
  if grep -E "CONSOLE|Uncaught|Refused to" "$p.log" >/dev/null; then fail "$what: no console error" "$(grep -E 'CONSOLE|Uncaught|Refused to' "$p.log" | head -2)"; else pass "$what: no console error"; fi
}

check "dx-audit report" 0 audit auditor report --out "$T/r.html"
check_grep "says what it covered" "$T/out" "^wrote .*r.html: [0-9]+ records in the range, of a log of [0-9]+ records verified against its [0-9]+ signed heads$"
check "a query over the same range" 0 audit auditor query --format csv
cp "$T/out" "$T/all.csv"
if chromium_page "$T/r.html" "$T/p1"; then pass "Chromium loads the page from a file"; else fail "Chromium loads the page from a file" "$(tail -3 "$T/p1.log")"; fi
page_ok "$T/p1" "the report"
charts=$(sed -n 's/^charts //p' "$T/p1.check")
if [ "${charts:-0}" -ge 9 ]; then pass "it has its charts ($charts)"; else fail "it has its charts" "$charts"; fi
if grep -E '^chart .* 0$' "$T/p1.check" >/dev/null; then fail "every chart drew elements" "$(grep -E '^chart .* 0$' "$T/p1.check")"; else pass "every chart drew elements"; fi
count "$T/all.csv" "$T/all.csv" | sort > "$T/want"
page_numbers "$T/p1.check" | sed 's/^refused-member \(.*\) \([0-9]*\)$/refused-member \1 \2/' | sort > "$T/got.raw"
# one form for both: "name value"
sed -E 's/^(refused-member|purpose|dataset) (.*) ([0-9]+)$/\1 \2 \3/' "$T/got.raw" | sort > "$T/got"
if diff "$T/want" "$T/got" > "$T/diff"; then pass "every number equals dx-audit query's count ($(wc -l < "$T/want") of them)"; else fail "every number equals dx-audit query's count" "$(head -c 600 "$T/diff")"; fi
check_grep "  the delivery without a receipt is there" "$T/want" "^n-unreceipted 1$"
check_grep "the receipt-less delivery is named" "$T/p1.check" "^table receipts-table: statistics\|health/vaccination/a3@1\|1\|"
check_grep "the erasure is listed, its reason as text" "$T/p1.check" "^table erasures-table: .*\|office\|health/vaccination/a1@1\|.*\|<script>alert\(1\)</script> & <b>x</b>$"
check_grep "  and escaped in the file" "$T/r.html" "&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;"
check_grep "the reloads are listed with their hashes" "$T/p1.check" "^table reloads-table: .*\|\(the broker\)\|[0-9a-f]{64}\|ok\|"
check_grep "the page names the head it was verified against" "$T/r.html" "matches the broker's signed head of .*root <code>[A-Za-z0-9+/=]{44}</code>"
if chromium_page "$T/r.html" "$T/phone" 390,2400; then page_ok "$T/phone" "on a phone's width"; else fail "Chromium at a phone's width" "$(tail -2 "$T/phone.log")"; fi
cp "$T/p1.png" "$T/report.png" 2>/dev/null

# a range: the second half of the records
SINCE=$(awk -F, 'NR>1 && $3=="read" && $10=="deny" {print $2; exit}' "$T/all.csv")
check "a report of a range" 0 audit auditor report --since "$SINCE" --out "$T/r2.html"
check "the query of that range" 0 audit auditor query --since "$SINCE" --format csv
cp "$T/out" "$T/range.csv"
chromium_page "$T/r2.html" "$T/p2" && page_ok "$T/p2" "the range's page"
count "$T/all.csv" "$T/range.csv" | sort > "$T/want2"
page_numbers "$T/p2.check" | sed -E 's/^(refused-member|purpose|dataset) (.*) ([0-9]+)$/\1 \2 \3/' | sort > "$T/got2"
if diff "$T/want2" "$T/got2" > "$T/diff2"; then pass "the range's numbers equal the query's"; else fail "the range's numbers equal the query's" "$(head -c 600 "$T/diff2")"; fi
if [ "$(wc -l < "$T/range.csv")" -lt "$(wc -l < "$T/all.csv")" ]; then pass "  (a real part of the log)"; else fail "  (a real part of the log)" "the range holds every record"; fi

# an empty range
check "a report of a range without records" 0 audit auditor report --since 2030-01-01 --until 2030-02-01 --out "$T/r3.html"
check_grep "says so" "$T/r3.html" 'id="empty"'
chromium_page "$T/r3.html" "$T/p3" 1280,700 && page_ok "$T/p3" "the empty range's page"
check "--since after --until is refused" 2 audit auditor report --since 2030-02-01 --until 2030-01-01 --out "$T/r4.html"
check "report without --out is refused" 2 audit auditor report
check "a member without the auditor role gets no report" 3 audit health report --out "$T/r5.html"
if [ -e "$T/r4.html" ] || [ -e "$T/r5.html" ]; then fail "no refused report wrote a page" "$(ls "$T"/r[45].html)"; else pass "no refused report wrote a page"; fi
stop_broker

# offline, from the store; and a log that does not verify gives no page
check "offline, --db" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" report --out "$T/r6.html"
check_grep "  from the store" "$T/r6.html" "from $T/data\)"
cp -a "$T/data" "$T/tampered"
check "a record changed in a copy of the store" 0 "$TOOLS/dx-tamper" "$T/tampered" edit 5
check "the report refuses a log that does not verify (exit 4)" 4 "$BIN/dx-audit" --db "$T/tampered" --broker-pub "$T/keys/broker.pub" report --out "$T/r7.html"
check_grep "  saying why" "$T/err" "VERIFICATION FAILED"
if [ -e "$T/r7.html" ] || [ -e "$T/r7.html.tmp" ]; then fail "  and writes no page" "$(ls "$T"/r7*)"; else pass "  and writes no page"; fi
