#!/usr/bin/env bash
# make install / uninstall, the systemd units (verified, and rated by
# systemd-analyze security) and the man pages (rendered without warnings,
# naming every option of the option table).
set -u
source "$(dirname "$0")/lib.sh"
P=$T/prefix
check "make install" 0 make --no-print-directory install PREFIX="$P" BUILD="$BUILD"
n=$(scripts/install.sh list "$P" "" "$BUILD" | wc -l)
have=$(scripts/install.sh list "$P" "" "$BUILD" | while read -r f; do [ -e "$f" ] && echo "$f"; done | wc -l)
if [ "$n" = "$have" ] && [ "$n" -ge 18 ]; then pass "every file installed ($n)"; else fail "every file installed" "$have of $n"; fi
check "nothing in /etc" 0 test -z "$(find "$P" -path '*/etc/*')"
check "the alerting rules are installed, and check" 0 promtool check rules "$P/share/dx/prometheus/dx-alerts.yml"
check "the installed broker runs" 0 "$P/bin/dx-broker" --version
check_grep "the unit runs the installed broker" "$P/lib/systemd/system/dx-broker.service" "^ExecStart=$P/bin/dx-broker --config /etc/dx/broker.yaml$"
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify" 0 systemd-analyze verify --man=no "$P/lib/systemd/system/dx-broker.service" "$P/lib/systemd/system/dx-agent@.service"
  for u in dx-broker.service dx-agent@.service; do
    systemd-analyze security --offline=yes "$P/lib/systemd/system/$u" > "$T/sec" 2>&1
    score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/sec")
    echo "# systemd-analyze security $u: ${score:-?} ($(sed -n 's/.*Overall exposure level for [^:]*: [0-9.]* \([A-Z]*\).*/\1/p' "$T/sec"))"
    if [ -n "$score" ] && /usr/bin/python3 -c "import sys; sys.exit(0 if float('$score') <= 4.5 else 1)"; then
      pass "$u: exposure OK or better (<= 4.5)"
    else
      fail "$u: exposure OK or better (<= 4.5)" "score ${score:-none}"
    fi
  done
else
  echo "# skipped systemd-analyze: not installed"
fi
for m in dist/man/*.[0-9]; do
  LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" >/dev/null 2>"$T/manerr"
  if [ -s "$T/manerr" ]; then fail "man -l $(basename "$m") renders without warnings" "$(head -2 "$T/manerr")"; else pass "man -l $(basename "$m") renders without warnings"; fi
done
# every option of the table, in dx-broker(8) and as a key in dx-broker.yaml(5)
missing=
for o in $("$BIN/dx-broker" --help | sed -n 's/^  --\([a-z0-9-]*\).*/\1/p'); do
  grep -q -- "\\\\-\\\\-$(echo "$o" | sed 's/-/\\\\-/g')" dist/man/dx-broker.8 || missing="$missing --$o(8)"
  case $o in config|check-config|version) continue ;; esac
  grep -q "^\.B $o$" dist/man/dx-broker.yaml.5 || missing="$missing $o(5)"
done
if [ -z "$missing" ]; then pass "every option is in the man pages"; else fail "every option is in the man pages" "missing:$missing"; fi
for c in publish fetch list info deliveries run; do
  grep -q "^\.BI\? \"\?$c" dist/man/dx-agent.1 || grep -q "^\.BI \"$c " dist/man/dx-agent.1 || missing="$missing $c"
done
if [ -z "$missing" ]; then pass "every dx-agent command is in dx-agent(1)"; else fail "every dx-agent command is in dx-agent(1)" "missing:$missing"; fi
check "make uninstall" 0 make --no-print-directory uninstall PREFIX="$P" BUILD="$BUILD"
check "uninstall removed every file" 0 test -z "$(find "$P" -type f)"
