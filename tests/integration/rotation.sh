# Member key rotation with overlap: the data office gives health next keys
# with a window (next: from, until); health's agent, given its next key,
# keeps publishing and statistics keeps fetching through the whole window
# without one refused request; every publish record names the key that
# signed; after the window the old key is refused, also on a connection
# opened before (tests/attacks/hostile.py, which shares no code with dx).
# The agent service (dx-agent run, next_key: in its YAML) publishes what is
# dropped in its outbox through the same window.
. "$(dirname "$0")/lib.sh"
setup_exchange
sample_csv "$T/d.csv"
start_broker || exit 1
now=$(date +%s)
FROM=$(date -u -d "@$((now + 8))" +%FT%TZ)
UNTIL=$(date -u -d "@$((now + 30))" +%FT%TZ)   # over the agents' 10 s retry of the next key
END=$((now + 34))
mkdir -p "$T/next" && chmod 700 "$T/next"
check "dx-admin keygen --next makes the next key" 0 "$BIN/dx-admin" keygen health --out "$T/next" --next --from "$FROM" --until "$UNTIL"
cp "$T/out" "$T/next.yaml"
check_grep "and prints the policy's next: entry" "$T/next.yaml" "^    next:"
check_grep "  with its window" "$T/next.yaml" "^      until: "
check "--next without --until is refused" 2 "$BIN/dx-admin" keygen health --out "$T/next2" --next
check "--until without --next is refused" 2 "$BIN/dx-admin" keygen health --out "$T/next2" --until "$UNTIL"
check "a next key of another member is refused" 2 agent health list --next-key "$T/keys/statistics.key"
check_grep "saying whose it is" "$T/err" "is member statistics's, not health's"
# the office puts it under health in the policy, and reloads
python3 - "$T/policies/members.yaml" "$T/next.yaml" <<'PY'
import sys
path, snippet = sys.argv[1], open(sys.argv[2]).read()
lines, out, inside = open(path).read().split("\n"), [], False
for line in lines:
    out.append(line)
    if line.strip().startswith("- id:"):
        inside = line.strip() == "- id: health"
    if inside and line.strip().startswith("transport_key:"):
        out.append(snippet.rstrip("\n"))
        inside = False
open(path, "w").write("\n".join(out))
PY
check "policy check takes next:" 0 "$BIN/dx-admin" policy check "$T/policies"
check_grep "and warns of an overlap this short" "$T/err" "overlap for less than an hour"
check "the office reloads" 0 admin office reload
cp "$T/keys/broker.pub" "$T/next/"

# bad windows are refused at check
cp -r "$T/policies" "$T/badpol"
sed -i "s/^      until: .*/      until: 2020-01-01T00:00:00Z/" "$T/badpol/members.yaml"
check "from after until is an error" 1 "$BIN/dx-admin" policy check "$T/badpol"
cat "$T/out" "$T/err" > "$T/both"
check_grep "saying so" "$T/both" "from is after until"

# a connection opened now with the old key, used again after the window
/usr/bin/python3 - "$EP" "$T/keys" "$END" > "$T/open.out" 2>&1 <<'PY' &
import sys, time
sys.path.insert(0, "tests/attacks")
from hostile import ERR, REQ, Conn, Member, error_of, f_bytes, msg
ep, keys, end = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Conn(ep, Member(keys, "health"), 10.0)
def listing():
    return error_of(c.call(REQ["list"], msg(f_bytes(1, "health/**"))))
before = listing()
print("before:", before)
time.sleep(max(0, end - time.time()))
after = listing()
print("after:", after)
ok = before is None and after is not None and after[0] == ERR["DENIED"] and "no longer" in after[1]
print("OK" if ok else "WRONG")
PY
OPEN=$!

# the agent service, with the next key in its YAML, started before the window
mkdir -p "$T/svc/outbox" "$T/svc/state"
cat > "$T/svc/agent.yaml" <<EOF
broker: $EP
broker_pub: $T/keys/broker.pub
key: $T/keys/health.key
next_key: $T/next/health.key
state: $T/svc/state
outboxes:
  - dir: $T/svc/outbox
    dataset: health/svc/{file}
    classification: internal
    content_type: text/csv
EOF
"$BIN/dx-agent" run --config "$T/svc/agent.yaml" > "$T/svc.log" 2>&1 &
SVC=$!
trap 'kill -KILL $SVC 2>/dev/null; cleanup' EXIT

# health publishes and statistics fetches through the whole window
fails=0 i=0
while [ "$(date +%s)" -lt "$END" ]; do
  i=$((i + 1))
  agent health publish "health/vaccination/rot$i" "$T/d.csv" --next-key "$T/next/health.key" >"$T/p.out" 2>&1 ||
    { fails=$((fails + 1)); echo "# publish $i: $(cat "$T/p.out")"; }
  agent statistics fetch "health/vaccination/rot$i" --purpose statistics -o "$T/f$i.csv" >"$T/f.out" 2>&1 ||
    { fails=$((fails + 1)); echo "# fetch $i: $(cat "$T/f.out")"; }
  cp "$T/d.csv" "$T/svc/s$i.tmp" && mv "$T/svc/s$i.tmp" "$T/svc/outbox/s$i.csv"
  sleep 0.3
done
if [ "$fails" = 0 ] && [ "$i" -ge 10 ]; then pass "$i publishes and fetches through the window, none refused"; else fail "no request refused through the window" "$fails of $((2 * i)) failed"; fi
check "the audit log names the key that signed each publish" 0 audit auditor query --action publish --member health --format json
python3 - "$T/out" "$T/keys/health.pub" "$T/next/health.pub" > "$T/keys.out" <<'PY'
import json, sys
def key(path):
    for line in open(path):
        if line.startswith("sign_key:"):
            return line.split(":", 1)[1].strip().strip('"')
old, new = key(sys.argv[2]), key(sys.argv[3])
signers = [json.loads(l)["signer_key"] for l in open(sys.argv[1]) if "/rot" in l]
print("old" if signers[0] == old else "?", "new" if signers[-1] == new else "?",
      "all-named" if all(s in (old, new) for s in signers) else "unnamed",
      "switched-once" if signers == sorted(signers, key=lambda s: s == new) else "back-and-forth")
PY
check_grep "the first with the old key, the last with the new, every one named, switched once" "$T/keys.out" "^old new all-named switched-once$"

count_sent() { [ "$(find "$T/svc/outbox/sent" -name '*.receipt' 2>/dev/null | wc -l)" -ge "$1" ]; }
if wait_until 30 count_sent "$i"; then pass "the agent service published all $i files dropped through the window"; else fail "the agent service published every file" "$(find "$T/svc/outbox/sent" -name '*.receipt' | wc -l) of $i; $(tail -3 "$T/svc.log")"; fi
if grep -qiE "refused|denied|not admitted" "$T/svc.log"; then fail "and was refused nothing" "$(grep -iE 'refused|denied' "$T/svc.log" | head -2)"; else pass "and was refused nothing"; fi
kill "$SVC" 2>/dev/null; wait "$SVC" 2>/dev/null
check "its last publishes name the next key" 0 audit auditor query --action publish --member health --dataset "health/svc/**" --format json
if tail -1 "$T/out" | grep -qF "$(grep '^sign_key:' "$T/next/health.pub" | cut -d'"' -f2)"; then pass "  the next key signed the last"; else fail "  the next key signed the last" "$(tail -1 "$T/out" | head -c 300)"; fi

# after the window
wait "$OPEN"
check_grep "a connection opened with the old key is refused after the window" "$T/open.out" "^OK$"
check "the old key alone is refused at the handshake" 3 agent health publish health/vaccination/late "$T/d.csv"
check_grep "saying it is not a current member key" "$T/err" "refused our key at the handshake"
check "the next key alone is the member's now" 0 "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" \
  --key "$T/next/health.key" publish health/vaccination/late "$T/d.csv"
# a manifest signed with the old signing key, over the new transport key
/usr/bin/python3 - "$EP" "$T/keys" "$T/next" > "$T/forged.out" 2>&1 <<'PY'
import sys
sys.path.insert(0, "tests/attacks")
from hostile import ERR, Conn, Member, error_of, publish
ep, keys, nxt = sys.argv[1:4]
m = Member(nxt, "health")
m.sign = Member(keys, "health").sign
e = error_of(publish(Conn(ep, m, 10.0), "health/vaccination/old-signed", b"a,b\n1,2\n"))
print("OK" if e and e[0] == ERR["INTEGRITY"] else "WRONG %r" % (e,))
PY
check_grep "a manifest signed with the retired signing key is refused" "$T/forged.out" "^OK$"
check "the log verifies" 0 audit auditor verify
check "policy check, after the window" 0 "$BIN/dx-admin" policy check "$T/policies"
check_grep "says to make the next keys the member's" "$T/err" "rotation ended .* make them its sign_key and transport_key"
check_grep "the broker logged the refused handshake" "$BROKER_LOG" "handshake-refused member=health .*rotation retired"
