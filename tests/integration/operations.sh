#!/usr/bin/env bash
# Operating the broker: --version everywhere, a config file with a key per
# option (flags override it), --check-config.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
VERSION_RE="^[0-9]+\.[0-9]+\.[0-9]+(\+g[0-9a-f]+(-dirty)?)?$"
for p in dx-broker dx-agent dx-audit dx-admin; do
  check "$p --version" 0 "$BIN/$p" --version
  if [ "$(cut -d' ' -f1 "$T/out")" = "$p" ] && cut -d' ' -f2 "$T/out" | grep -qE "$VERSION_RE"; then
    pass "$p --version says its name and version"
  else
    fail "$p --version says its name and version" "$(cat "$T/out")"
  fi
done
want=$(cat VERSION)
check_grep "the version comes from VERSION" "$T/out" "^dx-admin $want"
check "dx-audit query --version N still filters" 2 "$BIN/dx-audit" --db "$T/nowhere" --broker-pub "$T/keys/broker.pub" query --version x
check_grep "dx-audit --version N: its own message" "$T/err" "version"

cat > "$T/broker.yaml" <<Y
# the broker's settings, one key per option
listen: tcp://127.0.0.1:*
data: $T/data
policies: $T/policies
key: $T/keys/broker.key
map-size: 1G
skew: 120
Y
check "check-config: ok" 0 "$BIN/dx-broker" --config "$T/broker.yaml" --check-config
check_grep "check-config: prints the settings and where from" "$T/out" "^skew +120 +\($T/broker.yaml\)$"
check_grep "check-config: defaults" "$T/out" "^session-timeout +60 +\(default\)$"
check_grep "check-config: the key" "$T/out" "^key: .*broker id broker$"
check_grep "check-config: the policy set" "$T/out" "^policies: .*5 members"
check "check-config: flags override the file" 0 "$BIN/dx-broker" --skew 30 --config "$T/broker.yaml" --check-config
check_grep "check-config: the flag's value" "$T/out" "^skew +30 +\(flag\)$"
cp "$T/broker.yaml" "$T/bad.yaml"; echo "skew: 0" >> "$T/bad.yaml"
check "config: a bad value" 2 "$BIN/dx-broker" --config "$T/bad.yaml" --check-config
check_grep "config: the bad value's place" "$T/err" "bad.yaml:8:7: skew: expected seconds from 1 to 86400"
cp "$T/broker.yaml" "$T/bad.yaml"; echo "mapsize: 1G" >> "$T/bad.yaml"
check "config: an unknown key" 2 "$BIN/dx-broker" --config "$T/bad.yaml"
check_grep "config: the unknown key's place" "$T/err" "bad.yaml:8:1: unknown key 'mapsize'"
printf 'listen: [a\n' > "$T/bad.yaml"
check "config: broken YAML" 2 "$BIN/dx-broker" --config "$T/bad.yaml"
check_grep "config: broken YAML's place" "$T/err" "bad.yaml:2:1:"
check "config: a missing file" 2 "$BIN/dx-broker" --config "$T/none.yaml"
sed -i '/^key:/d' "$T/bad.yaml"; grep -v '^key:' "$T/broker.yaml" > "$T/nokey.yaml"
check "config: a required option missing" 2 "$BIN/dx-broker" --config "$T/nokey.yaml"
check_grep "config: says which and where" "$T/err" "required, as flags or in the --config file"
chmod 644 "$T/keys/broker.key"
check "check-config: a key file others can read" 1 "$BIN/dx-broker" --config "$T/broker.yaml" --check-config
check_grep "check-config: says so" "$T/out" "^not ready"
chmod 600 "$T/keys/broker.key"

# the broker runs from the file and says its version, in its log and in
# the audit log's broker_start record
"$BIN/dx-broker" --config "$T/broker.yaml" >"$T/b.log" 2>&1 &
pid=$!
wait_until 10 grep -q "listening endpoint=" "$T/b.log"
EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$T/b.log")
check_grep "the broker logs its version" "$T/b.log" "listening .* version=$want"
check "the broker serves, from the config file" 0 agent health list
kill -TERM $pid; wait $pid
check "broker_start in the log" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" query --format csv
check_grep "broker_start names the version" "$T/out" "broker_start,.*dx-broker $want"

# --log-format json: one object per line, the same events as the text form,
# never payloads or secrets
"$BIN/dx-broker" --config "$T/broker.yaml" --log-format json >"$T/j.log" 2>&1 &
pid=$!
wait_until 10 grep -q '"event":"listening"' "$T/j.log"
EP=$(/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["event"] == "listening": print(o["fields"]["endpoint"])' "$T/j.log")
printf 'national_id,name\nSECRET-PAYLOAD-1234,Jane\n' > "$T/p.csv"
check "json log: publish" 0 agent health publish health/vaccination/json "$T/p.csv" --classification restricted
check "json log: a filtered fetch" 0 agent statistics fetch health/vaccination/json --purpose statistics -o "$T/p.out"
check "json log: a refusal" 3 agent education fetch health/vaccination/json --purpose statistics -o "$T/p.out"
kill -TERM $pid; wait $pid
secret=$(sed -n 's/^sign_secret: *"\{0,1\}ed25519:\([^"]*\)"\{0,1\}$/\1/p' "$T/keys/health.key")
check "json log: every line is one JSON object" 0 /usr/bin/python3 - "$T/j.log" "$secret" <<'PY'
import json, re, sys
events = set()
text = open(sys.argv[1], "rb").read()
assert b"SECRET-PAYLOAD" not in text, "a payload reached the log"
assert sys.argv[2] and sys.argv[2].encode() not in text, "a secret reached the log"
for line in text.decode().splitlines():
    o = json.loads(line)
    assert set(o) == {"time", "level", "event", "fields"}, o
    assert all(isinstance(v, str) for v in o["fields"].values()), o
    # an event is a short stable identifier, never a sentence
    assert re.fullmatch(r"[a-z][a-z0-9-]{1,40}", o["event"]), o
    events.add(o["event"])
for want in ("listening", "published", "read", "refused", "stopping"):
    assert want in events, f"no {want} event in {sorted(events)}"
PY

# dx-admin status: the data office's view of a running broker
start_broker || exit 1
check "publish, for the status" 0 agent health publish health/vaccination/st "$T/p.csv"
admin() { "$BIN/dx-admin" "$1" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/$2.key" "${@:3}"; }
check "status as admin: healthy, exit 0" 0 admin status office
for k in "status: +healthy" "version: +$want" "endpoint: +$EP" "policy: +sha256 [0-9a-f]{64}, loaded 20" \
         "members: +5" "open transfers: +0" "store: +[0-9]+ of [0-9]+ bytes" "audit log: +[0-9]+ records" \
         "last commit: +[0-9.]+ ms"; do
  check_grep "status shows ${k%%:*}" "$T/out" "^$k"
done
check "status --format json" 0 admin status office --format json
cp "$T/out" "$T/status.json"
check "status json parses" 0 /usr/bin/python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["healthy"] is True and o["members"] == 5 and o["audit_size"] > 3, o' "$T/status.json"
check "status needs the role admin" 3 admin status health
check "status is recorded" 0 "$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" query --action status --format csv
check_grep "status records, the refusal too" "$T/out" "status,health,status,.*,deny"
check_grep "status records, allowed" "$T/out" "status,office,status,.*,allow"

# the auditor's formats, checked by a verifier written apart from dx
# (tests/differential/audit_verify.py): leaf bytes, RFC 9162 inclusion
# proofs, and the signed heads as golang.org/x/mod/sumdb/note reads them
A() { "$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" "$@"; }
check "query --with-proofs, json" 0 A query --with-proofs --format json
cp "$T/out" "$T/proofs.json"
check "an independent verifier accepts every record" 0 sh -c "/usr/bin/python3 tests/differential/audit_verify.py '$T/keys/broker.pub' < '$T/proofs.json'"
check_grep "it verified them" "$T/out" "^[1-9][0-9]* records verified$"
sed 's/"leaf":"\(.\)/"leaf":"A\1/' "$T/proofs.json" > "$T/bad.json"
check "and refuses a leaf that was changed" 1 sh -c "/usr/bin/python3 tests/differential/audit_verify.py '$T/keys/broker.pub' < '$T/bad.json'"
check "prove prints the head it checked against" 0 A prove 2
check_grep "the head, signed" "$T/out" "^— dx/broker "
check "consistency --proof prints the proof" 0 A consistency 1 --proof
check_grep "the proof's hashes" "$T/out" "^proof 0 [0-9a-f]{64}$"
check_grep "and both heads" "$T/out" "^old head:$"
# and with Go's own packages (golang.org/x/mod/sumdb/note and tlog)
if command -v go >/dev/null && [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ]; then
  check "head --vkey" 0 A head --vkey
  cp "$T/out" "$T/vkey"
  check "Go's note.Open and tlog.CheckRecord accept every record" 0 sh -c \
    "cd tests/differential/goverify && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE='$T/gocache' go run main.go \"\$(cat '$T/vkey')\" < '$T/proofs.json'"
  check_grep "Go verified them" "$T/out" "records verified with Go's note and tlog"
else
  echo "# skipped the Go check: golang-go and golang-golang-x-mod-dev not installed"
fi

# systemd's readiness protocol (Type=notify), without systemd: a datagram
# socket in NOTIFY_SOCKET receives READY=1 once the broker listens, and
# STOPPING=1 when it stops
/usr/bin/python3 - "$T/notify.sock" > "$T/notify.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
for _ in range(2):
    print(s.recv(256).decode(), flush=True)
PY
LISTENER=$!
wait_until 10 test -S "$T/notify.sock"
NOTIFY_SOCKET=$T/notify.sock "$BIN/dx-broker" --config "$T/broker.yaml" --data "$T/data-notify" >"$T/n.log" 2>&1 &
pid=$!
wait_until 10 grep -q "READY=1" "$T/notify.out"
check_grep "systemd is told READY=1" "$T/notify.out" "^READY=1$"
check_grep "once it listens" "$T/n.log" "listening endpoint="
kill -TERM $pid; wait $pid
wait $LISTENER
check_grep "and STOPPING=1 when it stops" "$T/notify.out" "^STOPPING=1$"
