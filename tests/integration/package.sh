#!/usr/bin/env bash
# make deb: the package installs on this machine, the broker it installed
# starts from /etc/dx as the user dx and serves, and purging leaves nothing.
# Needs root and a machine without a dx of its own (skipped otherwise).
set -u
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v dpkg-deb >/dev/null; then
  echo "# skipped the package test: needs root and dpkg-deb"; pass "package test skipped (not root)"; exit 0
fi
if getent passwd dx >/dev/null || [ -e /etc/dx ] || [ -e /var/lib/dx ] || dpkg -s dx >/dev/null 2>&1; then
  echo "# skipped the package test: this machine already has a dx user, /etc/dx, /var/lib/dx or the package"
  pass "package test skipped (dx already here)"; exit 0
fi
setup_exchange
PID=
purge() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; dpkg --purge dx >/dev/null 2>&1; rm -rf /etc/dx /var/lib/dx; }
trap 'purge; cleanup' EXIT
check "make deb" 0 env BUILD="$BUILD" scripts/deb.sh
deb=$(tail -n 1 "$T/out")
check "lintian runs on it" 0 lintian --no-tag-display-limit "$deb"
if grep -q '^E: ' "$T/out"; then fail "lintian: no errors" "$(grep '^E: ' "$T/out" | head -3)"; else pass "lintian: no errors"; fi
check "the package carries a copyright file" 0 sh -c "dpkg-deb -c '$deb' | grep -q ' ./usr/share/doc/dx/copyright$'"
check "and the Prometheus alerting rules" 0 sh -c "dpkg-deb -c '$deb' | grep -q ' ./usr/share/dx/prometheus/dx-alerts.yml$'"
check "make deb installs only what building needs" 0 sh -c "make -n deb | grep -q 'scripts/deps.sh build'"
bash scripts/deps.sh build --list > "$T/build-deps"
if grep -qE '^(redis|clang|golang|prometheus|lintian|python3)' "$T/build-deps"; then fail "the build's packages hold no test tool" "$(tr '\n' ' ' < "$T/build-deps")"; else pass "the build's packages hold no test tool"; fi
check "dpkg -i" 0 dpkg -i "$deb"
check "the programs are installed" 0 /usr/bin/dx-broker --version
check "the user dx" 0 getent passwd dx
check "/var/lib/dx belongs to dx, mode 0700" 0 test "$(stat -c '%U %a' /var/lib/dx)" = "dx 700"
check "/etc/dx/broker.yaml from the example" 0 test -f /etc/dx/broker.yaml
check "the broker's unit is enabled" 0 test -L /etc/systemd/system/multi-user.target.wants/dx-broker.service
check "man finds its pages" 0 man -w dx-broker.yaml
check "systemd-analyze verify, installed" 0 systemd-analyze verify /lib/systemd/system/dx-broker.service /lib/systemd/system/dx-agent@.service

# start it as the unit would: user dx, the installed config
cp "$T/keys/broker.key" "$T/keys/broker.pub" /etc/dx/keys/
chown dx:dx /etc/dx/keys/*
cp "$T"/policies/*.yaml /etc/dx/policies/
port=$(free_port)
sed -i "s|^listen: .*|listen: tcp://127.0.0.1:$port|" /etc/dx/broker.yaml
check "check-config as dx" 0 runuser -u dx -- /usr/bin/dx-broker --config /etc/dx/broker.yaml --check-config
setpriv --reuid=dx --regid=dx --init-groups /usr/bin/dx-broker --config /etc/dx/broker.yaml >"$T/pkg.log" 2>&1 &
PID=$!
wait_until 10 grep -q "listening endpoint=" "$T/pkg.log"
EP=tcp://127.0.0.1:$port
check "the installed broker serves" 0 agent health list
check "its store is in /var/lib/dx, owned by dx" 0 test "$(stat -c %U /var/lib/dx/data.mdb)" = dx
kill -TERM "$PID"; wait "$PID"; status=$?; PID=
check "it stops cleanly" 0 test "$status" = 0
rm -rf /etc/dx/keys/* /etc/dx/policies/* /var/lib/dx/*
check "dpkg --purge" 0 dpkg --purge dx
for f in /usr/bin/dx-broker /lib/systemd/system/dx-broker.service /usr/share/man/man8/dx-broker.8.gz \
         /etc/dx /var/lib/dx /etc/systemd/system/multi-user.target.wants/dx-broker.service; do
  if [ -e "$f" ] || [ -L "$f" ]; then fail "purged: $f" "still there"; else pass "purged: $f"; fi
done
check "purged: the user dx" 2 getent passwd dx
