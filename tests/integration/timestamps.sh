# Trusted timestamps (--tsa-url): a real RFC 3161 authority on loopback
# (openssl ts -reply under a CA made here, tests/lib/tsa.sh) stamps the
# broker's heads; dx-audit and, independently, openssl ts -verify check the
# tokens; an outage delays timestamps and never a publish; tokens that do
# not check are refused by the broker and by dx-audit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/tsa.sh"
setup_exchange
sample_csv "$T/d.csv"
trap 'tsa_stop; cleanup' EXIT
if ! tsa_make "$T/tsa" || ! tsa_start "$T/tsa"; then
  fail "a time-stamping authority runs on loopback" "it did not start (see above)"
  exit 1
fi
MP=$(free_port)
fetch_metrics() { /usr/bin/python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$MP/metrics"; }
# the URL carries credentials, which must never reach the log
URL_SECRET=${TSA_URL/http:\/\//http://dx:s3cret-pw@}
start_broker --tsa-url "$URL_SECRET" --tsa-ca "$TSA_CA" --tsa-every 1 --metrics-listen "127.0.0.1:$MP" || exit 1

offline() { "$BIN/dx-audit" --db "$1" --broker-pub "$T/keys/broker.pub" "${@:2}"; }
audit_size() { admin office status --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["audit_size"])'; }
stamped_size() { admin office status --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["timestamp_head_size"])'; }
# covered N: a kept token covers the first N records
covered() { [ "$(stamped_size)" -ge "$1" ]; }

for i in 1 2 3; do agent health publish "health/vaccination/v$i" "$T/d.csv" >/dev/null; done
n=$(audit_size)
if wait_until 20 covered "$n"; then pass "the broker's newest head is stamped within seconds"; else fail "the broker's newest head is stamped" "only $(stamped_size) of $n records covered"; fi
check "status shows the timestamps" 0 admin office status
check_grep "with their age and head" "$T/out" "timestamps: +the newest [0-9]+ s old .*over the head of [0-9]+ records; by http://127.0.0.1"
if grep -q s3cret "$T/out" "$BROKER_LOG"; then fail "the URL's password is in neither status nor log" "found"; else pass "the URL's password is in neither status nor log"; fi
check "metrics" 0 fetch_metrics
check_grep "show the newest timestamp's age" "$T/out" '^dx_timestamp_age_seconds [0-9]'
check_grep "and the requests" "$T/out" 'dx_timestamp_requests_total\{result="ok"\} [1-9]'

check "dx-audit verify checks every token" 0 audit auditor verify --tsa-ca "$TSA_CA"
check_grep "and says which records they cover" "$T/out" "timestamps: [0-9]+ tokens? verified \(by CN=tsa time-stamping authority,O=dx tests\); records 1-[0-9]+ are covered"
check "with the authority's policy" 0 audit auditor verify --tsa-ca "$TSA_CA" --tsa-policy "$TSA_POLICY"
check "--tsa-policy without --tsa-ca is a usage error" 2 audit auditor verify --tsa-policy "$TSA_POLICY"
check_grep "saying what it needs" "$T/err" "needs --tsa-ca"
check "without --tsa-ca it says the signatures were not checked" 0 audit auditor verify
check_grep "plainly" "$T/out" "signatures NOT checked"
check "prove shows the token that covers a record" 0 audit auditor prove 2 --tsa-ca "$TSA_CA"
check_grep "with its time and authority" "$T/out" "^timestamp: records 1-[0-9]+ existed at .* by CN=tsa time-stamping authority.*token verified"
check "consistency shows it too" 0 audit auditor consistency 1 --tsa-ca "$TSA_CA"
check_grep "for the new head" "$T/out" "^timestamp: "
check "head shows it on stderr, the head alone on stdout" 0 audit auditor head --tsa-ca "$TSA_CA"
check_grep "the head" "$T/out" "^dx/broker"
check_grep "the timestamp line" "$T/err" "^timestamp: "

# openssl, which shares no code with dx, checks each token over its head
check "timestamps --out writes each head and its token" 0 audit auditor timestamps --out "$T/stamps" --tsa-ca "$TSA_CA"
ok=0 bad=0
for tok in "$T"/stamps/*.tsr; do
  if openssl ts -verify -token_in -in "$tok" -data "${tok%.tsr}.head" -CAfile "$TSA_CA" >/dev/null 2>&1; then
    ok=$((ok + 1)); else bad=$((bad + 1)); fi
done
if [ "$ok" -ge 1 ] && [ "$bad" = 0 ]; then pass "openssl ts -verify accepts all $ok tokens over their heads"; else fail "openssl ts -verify accepts the tokens" "$ok ok, $bad not"; fi
first=$(ls "$T"/stamps/*.tsr | head -1)
other=$(ls "$T"/stamps/*.head | tail -1)
if [ "$(ls "$T"/stamps/*.tsr | wc -l)" -ge 2 ] && ! openssl ts -verify -token_in -in "$first" -data "$other" -CAfile "$TSA_CA" >/dev/null 2>&1; then
  pass "and refuses a token over another head"; else fail "openssl refuses a token over another head" "it accepted it, or there is one token only"; fi

# the authority away: publishes go on, timestamps wait, then catch up
tsa_stop
for i in 4 5 6; do agent health publish "health/vaccination/v$i" "$T/d.csv" >/dev/null || break; done
check "publishes go on while the authority is down" 0 agent health publish health/vaccination/v7 "$T/d.csv"
sleep 2
check "status says the last request failed" 0 admin office status
check_grep "and why" "$T/out" "the last request failed: "
check_grep "and what it means" "$T/out" "publishes go on; the newest head is stamped once the authority answers"
check_grep "the log says so once, with what to do" "$BROKER_LOG" "tsa-unreachable .*do=\"check that the time-stamping authority answers"
if [ "$(grep -c tsa-unreachable "$BROKER_LOG")" = 1 ]; then pass "only once for the outage"; else fail "only once for the outage" "$(grep -c tsa-unreachable "$BROKER_LOG") lines"; fi
n=$(audit_size)
tsa_start "$T/tsa" "$TSA_PORT" || exit 1
if wait_until 20 covered "$n"; then pass "the authority back, the newest head is stamped"; else fail "the authority back, the newest head is stamped" "$(stamped_size) of $n"; fi
check_grep "the log says it answers again" "$BROKER_LOG" "tsa-answers"
check "and verify covers the records of the outage" 0 audit auditor verify --tsa-ca "$TSA_CA"

# answers that are not good tokens: refused, logged, nothing kept
refused_with() {
  local mode=$1 why=$2 before after
  before=$(grep -c tsa-token-refused "$BROKER_LOG")
  kept=$(stamped_size)
  tsa_mode "$T/tsa" "$mode"
  agent health publish "health/vaccination/r-$mode" "$T/d.csv" >/dev/null
  if wait_until 15 eval '[ "$(grep -c tsa-token-refused "$BROKER_LOG")" -gt '"$before"' ]'; then
    pass "a reply of mode $mode is refused"
    check_grep "saying why" "$BROKER_LOG" "tsa-token-refused .*$why"
  else
    fail "a reply of mode $mode is refused" "no tsa-token-refused line"
  fi
  if [ "$(stamped_size)" = "$kept" ]; then pass "and nothing of it is kept"; else fail "nothing of it is kept" "$kept -> $(stamped_size)"; fi
}
refused_with stranger "does not verify against the authority's CA"
refused_with otherdata "does not answer the request"
refused_with garbage "not an RFC 3161 time-stamp reply"
tsa_mode "$T/tsa" error
agent health publish health/vaccination/r-error "$T/d.csv" >/dev/null
if wait_until 15 grep -q "HTTP 500" "$BROKER_LOG"; then pass "an HTTP error is an outage"; else fail "an HTTP error is an outage" "no line"; fi
tsa_mode "$T/tsa" ok
n=$(audit_size)
if wait_until 20 covered "$n"; then pass "good tokens again once the authority mends"; else fail "good tokens again" "$(stamped_size) of $n"; fi
check "metrics count the refusals" 0 fetch_metrics
check_grep "as refused" "$T/out" 'dx_timestamp_requests_total\{result="refused"\} [3-9]'
stop_broker

# an attacker with the data directory changes the kept tokens: dx-audit
# verify --db finds each (exit 4)
cp -a "$T/data" "$T/pristine"
fresh() { rm -rf "$T/copy"; cp -a "$T/pristine" "$T/copy"; }
check "the untouched store verifies with its tokens" 0 offline "$T/pristine" verify --tsa-ca "$TSA_CA"
check "timestamps lists them offline" 0 offline "$T/pristine" timestamps --out "$T/st2" --tsa-ca "$TSA_CA"
sizes=$(ls "$T"/st2/*.tsr | sed 's,.*/,,; s,\.tsr,,' | sort -n)
a=$(echo "$sizes" | head -1)
b=$(echo "$sizes" | tail -1)

fresh; "$TOOLS/dx-tamper" "$T/copy" stamp-flip "$b"
check "a changed token is refused" 4 offline "$T/copy" verify --tsa-ca "$TSA_CA"
check_grep "naming its head" "$T/err" "VERIFICATION FAILED: the time-stamp token over the head of $b records does not verify"

fresh; "$TOOLS/dx-tamper" "$T/copy" stamp-put "$b" "$T/st2/$a.tsr"
check "a token for another head is refused" 4 offline "$T/copy" verify --tsa-ca "$TSA_CA"
check_grep "as over other bytes" "$T/err" "over other bytes"
check "even without --tsa-ca" 4 offline "$T/copy" verify

# a token by an authority nobody trusts, over the right head
(
  cd "$T/tsa" &&
  openssl ts -query -data "$T/st2/$b.head" -sha256 -cert -out "$T/q.tsq" &&
  openssl ts -reply -config tsa.cnf -queryfile "$T/q.tsq" -signer stranger.crt -inkey stranger.key \
    -chain stranger-ca.crt -out "$T/r.tsr" &&
  openssl ts -reply -in "$T/r.tsr" -token_out -out "$T/stranger.tok"
) >/dev/null 2>&1
fresh; "$TOOLS/dx-tamper" "$T/copy" stamp-put "$b" "$T/stranger.tok"
check "a token by an unknown authority is refused" 4 offline "$T/copy" verify --tsa-ca "$TSA_CA"
check_grep "as not under the CA" "$T/err" "does not verify against the authority's CA"
check "timestamps refuses it too" 4 offline "$T/copy" timestamps --tsa-ca "$TSA_CA"
check "a policy the tokens are not under is refused" 4 offline "$T/pristine" verify --tsa-ca "$TSA_CA" --tsa-policy 1.3.6.1.4.1.55555.1.2
check_grep "saying so" "$T/err" "not under the policy"

# a broker restarted on the store reads its newest token back
start_broker --tsa-url "$TSA_URL" --tsa-ca "$TSA_CA" --tsa-every 1 || exit 1
check "a restarted broker shows its newest token" 0 admin office status
check_grep "at once" "$T/out" "timestamps: +the newest"
stop_broker

# bad settings stop the start with one line, before anything is touched
rm -rf "$T/d2"
check "--tsa-url without --tsa-ca is refused" 2 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/d2" \
  --policies "$T/policies" --key "$T/keys/broker.key" --tsa-url "$TSA_URL"
check_grep "saying what is missing" "$T/err" "needs --tsa-ca"
check "a --tsa-ca that is no certificate is refused" 2 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/d2" \
  --policies "$T/policies" --key "$T/keys/broker.key" --tsa-url "$TSA_URL" --tsa-ca "$T/d.csv"
check_grep "saying so" "$T/err" "holds no PEM certificate"
check "a --tsa-policy that is no OID is refused" 2 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/d2" \
  --policies "$T/policies" --key "$T/keys/broker.key" --tsa-url "$TSA_URL" --tsa-ca "$TSA_CA" --tsa-policy not-an-oid
check "a --tsa-url that is not HTTP is refused" 2 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/d2" \
  --policies "$T/policies" --key "$T/keys/broker.key" --tsa-url "file:///etc/passwd" --tsa-ca "$TSA_CA"
if [ -e "$T/d2" ]; then fail "and none of them made a data directory" "$T/d2 exists"; else pass "and none of them made a data directory"; fi
