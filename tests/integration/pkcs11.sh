# Keys in hardware: the broker's signing key and its master key made on a
# real PKCS#11 token (SoftHSM2, tests/lib/softhsm.sh), never leaving it; the
# whole exchange runs with them; heads and receipts verify with its public
# key, also in Go's note verifier; the master key rotates on the token, its
# old key kept there for backups until retired; a missing token, a wrong
# PIN or a missing object stops the start with one line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/softhsm.sh"
setup_exchange
sample_csv "$T/d.csv"
if ! hsm_make "$T/hsm"; then
  fail "a SoftHSM2 token is made" "see above"
  exit 1
fi
P11=(--pkcs11-module "$HSM_MODULE" --pkcs11-pin-file "$HSM_PIN_FILE")
URI="pkcs11:token=dx;object=broker"
rm -f "$T/keys/broker.key" "$T/keys/broker.pub"
check "dx-admin keygen makes the broker's signing key on the token" 0 "$BIN/dx-admin" keygen broker --out "$T/keys" --pkcs11 "$URI" "${P11[@]}"
check_grep "and prints its public keys for the policy" "$T/out" 'sign_key: "ed25519:'
check_grep "the key file names the token's key" "$T/keys/broker.key" "^sign_secret: \"$URI\"$"
if grep -q '^sign_secret: "ed25519:' "$T/keys/broker.key"; then fail "and holds no signing secret" "it does"; else pass "and holds no signing secret"; fi
check "a second keygen of the same object is refused" 1 "$BIN/dx-admin" keygen broker2 --out "$T/keys2" --pkcs11 "$URI" "${P11[@]}"
check_grep "saying it exists" "$T/err" "already has a key"
check "dx-admin pkcs11 key shows it" 0 "$BIN/dx-admin" pkcs11 key "$URI" "${P11[@]}"
if grep -qxF "$(grep '^sign_key:' "$T/keys/broker.pub")" "$T/out"; then pass "in the usual form, the one broker.pub has"; else fail "in the usual form, the one broker.pub has" "$(head -1 "$T/out")"; fi
check_grep "not extractable" "$T/out" "^extractable: no$"
check_grep "and sensitive" "$T/out" "^sensitive: yes$"
# pkcs11-tool (OpenSC), which shares no code with dx, reads the same
if command -v pkcs11-tool >/dev/null; then
  check "pkcs11-tool lists the token's objects" 0 pkcs11-tool --module "$HSM_MODULE" --token-label dx --login --pin 1234 --list-objects
  check_grep "and sees the private key sensitive and never extractable" "$T/out" "Access: +sensitive, always sensitive, never extractable"
else
  fail "pkcs11-tool lists the token's objects" "opensc is not installed (scripts/deps.sh installs it)"
fi

# a member's agent keeps its signing key on a token too: health's key is
# made there, and the policy takes its new public keys
rm -f "$T/keys/health.key" "$T/keys/health.pub" "$T/keys/statistics.key" "$T/keys/statistics.pub"
check "a member's signing key is made on the token" 0 "$BIN/dx-admin" keygen health --out "$T/keys" --pkcs11 "pkcs11:token=dx;object=health" "${P11[@]}"
check "and another's" 0 "$BIN/dx-admin" keygen statistics --out "$T/keys" --pkcs11 "pkcs11:token=dx;object=statistics" "${P11[@]}"
"$PWD/scripts/example-exchange.sh" "$T" "$BIN" >/dev/null

"$BIN/dx-admin" master-key new "$T/keys/master.key" >/dev/null
MASTER="pkcs11:token=dx;object=master"
check "dx-admin master-key new makes the master key on the token" 0 "$BIN/dx-admin" master-key new "$MASTER" "${P11[@]}"
check_grep "an AES-256 key that cannot leave it, named by its id" "$T/out" "master key [0-9a-f]{16}\): AES-256, sensitive, not extractable"
MASTER_ID=$(sed -n 's/.*(master key \([0-9a-f]*\)).*/\1/p' "$T/out")
check "a second one under the same label is refused" 1 "$BIN/dx-admin" master-key new "$MASTER" "${P11[@]}"
check_grep "saying it exists" "$T/err" "already has a key labelled master: it is not replaced"
if command -v pkcs11-tool >/dev/null; then
  check "pkcs11-tool sees the master key" 0 pkcs11-tool --module "$HSM_MODULE" --token-label dx --login --pin 1234 --list-objects --type secrkey
  check_grep "as an AES-256 key, sensitive and never extractable" "$T/out" "Access: +sensitive, always sensitive, never extractable"
fi
check "the broker refuses a token key without --master-key" 2 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/dz" \
  --policies "$T/policies" --key "$URI" --transport-key "$T/keys/broker.key" "${P11[@]}"
check_grep "saying what to do" "$T/err" "needs --master-key"

start_broker_hsm() {
  mkdir -p "$T/data"
  BROKER_STARTS=$((BROKER_STARTS + 1))
  BROKER_LOG=$T/broker.$BROKER_STARTS.log
  "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/data" --policies "$T/policies" \
    --master-key "$MASTER" "$@" >"$BROKER_LOG" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 100); do
    EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$BROKER_LOG")
    [ -n "$EP" ] && return 0
    kill -0 "$BROKER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$BROKER_LOG" >&2
  BROKER_PID=
  return 1
}
# the contract's form: key is the URI, the transport secret in its file
if start_broker_hsm --key "$URI" --transport-key "$T/keys/broker.key" "${P11[@]}"; then
  pass "the broker starts with its signing key in the token"
else
  fail "the broker starts with its signing key in the token" "see above"; exit 1
fi
check "a publish signed by the member's token key is acknowledged with a receipt the broker's token signed" 0 \
  agent health publish health/vaccination/h1 "$T/d.csv" "${P11[@]}"
check "without the token's settings, the member's agent says what it needs" 2 agent health publish health/vaccination/h0 "$T/d.csv"
check_grep "in one line" "$T/err" "needs pkcs11-module"
check "the agent's YAML names the module and the PIN file" 0 sh -c "printf 'broker: %s\nbroker_pub: %s\nkey: %s\npkcs11-module: %s\npkcs11-pin-file: %s\n' \
  '$EP' '$T/keys/broker.pub' '$T/keys/health.key' '$HSM_MODULE' '$HSM_PIN_FILE' > '$T/health.yaml' &&
  '$BIN/dx-agent' --config '$T/health.yaml' publish health/vaccination/h1b '$T/d.csv'"
check "a filtered fetch verifies the broker's view signature, and its delivery receipt is signed on the token" 0 \
  agent statistics fetch health/vaccination/h1 --purpose statistics -o "$T/f.csv" "${P11[@]}"
if grep -q "not accepted" "$T/err"; then fail "the receipt was accepted" "$(cat "$T/err")"; else pass "the receipt was accepted"; fi
check "a refusal" 3 agent education fetch health/vaccination/h1 --purpose statistics -o "$T/x.csv"
check "the publisher sees the signed delivery receipt" 0 agent health deliveries health/vaccination/h1 "${P11[@]}"
check_grep "from statistics" "$T/out" "statistics"
check "dx-audit verify checks every head against broker.pub" 0 audit auditor verify
check_grep "and they match" "$T/out" "audit log verified"
A() { "$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/auditor.key" "$@"; }
check "query --with-proofs" 0 A query --with-proofs --format json
cp "$T/out" "$T/proofs.json"
check "Python's independent verifier accepts heads the token signed" 0 sh -c "/usr/bin/python3 tests/differential/audit_verify.py '$T/keys/broker.pub' < '$T/proofs.json'"
if command -v go >/dev/null && [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ]; then
  check "head --vkey" 0 A head --vkey
  cp "$T/out" "$T/vkey"
  check "and so does Go's note verifier" 0 sh -c \
    "cd tests/differential/goverify && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE='$T/gocache' go run main.go \"\$(cat '$T/vkey')\" < '$T/proofs.json'"
else
  fail "Go's note verifier" "golang-go and golang-golang-x-mod-dev are not installed"
fi
check_grep "the content keys are under the token's master key" "$BROKER_LOG" "master key $MASTER_ID \(from token dx, key master\)"

# the master key rotates on the token while the broker runs; a backup from
# before restores with the old key, kept on the token until retired
check "a backup before the rotation" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/before"
check_grep "names the token's key it needs" "$T/out" "need master key $MASTER_ID"
check "dx-admin backup check opens every content key on the token" 0 "$BIN/dx-admin" backup check "$T/before" --master-key "$MASTER" "${P11[@]}"
check_grep "under the current key" "$T/out" "open under master key $MASTER_ID \(the current key token dx, key master\)"
check "rotate: the broker makes the next key on the token and rewraps" 0 admin office master-key rotate
check_grep "from which key to which" "$T/out" "master key rotated: $MASTER_ID -> [0-9a-f]{16}, [1-9][0-9]* content keys rewrapped"
NEW_ID=$(sed -n 's/.*-> \([0-9a-f]*\),.*/\1/p' "$T/out")
check "what was published before still fetches (its key opened by the new token key)" 0 \
  agent health fetch health/vaccination/h1 --purpose operations -o "$T/h1.csv" "${P11[@]}"
check "the same bytes" 0 cmp "$T/d.csv" "$T/h1.csv"
check "a publish after the rotation" 0 agent health publish health/vaccination/h3 "$T/d.csv" "${P11[@]}"
if command -v pkcs11-tool >/dev/null; then
  check "pkcs11-tool lists the keys" 0 pkcs11-tool --module "$HSM_MODULE" --token-label dx --login --pin 1234 --list-objects --type secrkey
  check_grep "the new one is labelled master" "$T/out" "label: +master$"
  check_grep "the old one is kept as master.<its id>" "$T/out" "label: +master.$MASTER_ID$"
  if grep -q "master.new" "$T/out"; then fail "no next key is left" "$(cat "$T/out")"; else pass "no next key is left"; fi
fi
stop_broker
check "it stops cleanly" 0 true
check "--check-config names the token's master key" 0 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/data" --policies "$T/policies" \
  --master-key "$MASTER" --key "$URI" --transport-key "$T/keys/broker.key" "${P11[@]}" --check-config
check_grep "by its id" "$T/out" "^master key: $NEW_ID from token dx, key master$"
check "the backup from before restores with the kept key on the token" 0 "$BIN/dx-admin" backup check "$T/before" --master-key "$MASTER" "${P11[@]}"
check_grep "saying which" "$T/out" "under master key $MASTER_ID \(the kept key token dx, key master.$MASTER_ID\)"
check "retiring the current key is refused" 1 "$BIN/dx-admin" master-key retire "$MASTER" "$NEW_ID" "${P11[@]}"
check_grep "saying why" "$T/err" "is the current key"
check "retire the kept key: it is destroyed on the token" 0 "$BIN/dx-admin" master-key retire "$MASTER" "$MASTER_ID" "${P11[@]}"
check_grep "saying what" "$T/out" "retired master key $MASTER_ID \(the token's key master.$MASTER_ID removed\)"
check "now the old backup's check fails (exit 4)" 4 "$BIN/dx-admin" backup check "$T/before" --master-key "$MASTER" "${P11[@]}"
check_grep "naming the key it needs" "$T/err" "sealed under master key $MASTER_ID.*no kept key the token's key master.$MASTER_ID"
# a file's master key cannot open what the token's sealed
check "a broker given another master key refuses the data" 1 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/data" \
  --policies "$T/policies" --key "$URI" --transport-key "$T/keys/broker.key" "${P11[@]}" --master-key "$T/keys/master.key"
check_grep "as the wrong master key" "$T/err" "wrong master key: .* sealed under master key $NEW_ID"

# the key file form: key names the file, which names the token's key
if start_broker_hsm --key "$T/keys/broker.key" "${P11[@]}"; then
  pass "the broker starts from a key file that names the token's key"
  check "and goes on signing the same log" 0 agent health publish health/vaccination/h2 "$T/d.csv" "${P11[@]}"
  check "which verifies" 0 audit auditor verify
  stop_broker
else
  fail "the broker starts from a key file that names the token's key" "see above"
fi

# what stops the start, in one line, before anything is touched
refuse() {
  local name=$1 want=$2 pattern=$3
  shift 3
  rm -rf "$T/dz"
  check "$name" "$want" "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/dz" --policies "$T/policies" \
    --master-key "$T/keys/master.key" --transport-key "$T/keys/broker.key" "$@"
  check_grep "  in one line: $pattern" "$T/err" "$pattern"
  if [ "$(grep -vc '^$' "$T/err")" -le 1 ]; then pass "  one line"; else fail "  one line" "$(cat "$T/err")"; fi
}
printf '0000\n' > "$T/badpin"; chmod 600 "$T/badpin"
refuse "a wrong PIN is refused at start" 1 "wrong PIN" --key "$URI" --pkcs11-module "$HSM_MODULE" --pkcs11-pin-file "$T/badpin"
refuse "a missing token is refused at start" 1 "no token of .* matches" --key "pkcs11:token=nope;object=broker" "${P11[@]}"
refuse "a missing object is refused at start" 1 "has no Ed25519 private key" --key "pkcs11:token=dx;object=nothing" "${P11[@]}"
refuse "a missing master key object is refused at start" 1 "has no AES key labelled nothing" --key "$URI" "${P11[@]}" --master-key "pkcs11:token=dx;object=nothing"
refuse "a master key's URI with id= is refused" 2 "by object=LABEL alone" --key "$URI" "${P11[@]}" --master-key "pkcs11:token=dx;object=master;id=%01"
"$BIN/dx-admin" keygen plain --out "$T/k4" >/dev/null 2>&1
refuse "a master key on the token with a wrong PIN is refused at start" 1 "wrong PIN" --key "$T/k4/plain.key" --pkcs11-module "$HSM_MODULE" --pkcs11-pin-file "$T/badpin" --master-key "$MASTER"
if command -v pkcs11-tool >/dev/null; then
  pkcs11-tool --module "$HSM_MODULE" --token-label dx --login --pin 1234 --keygen --key-type AES:32 --label loose --extractable >/dev/null 2>&1
  refuse "a master key the token lets out is refused at start" 1 "could leave it" --key "$URI" "${P11[@]}" --master-key "pkcs11:token=dx;object=loose"
fi
refuse "a missing module is refused at start" 1 "cannot load the PKCS#11 module" --key "$URI" --pkcs11-module /nonexistent/lib.so --pkcs11-pin-file "$HSM_PIN_FILE"
refuse "a token key without the module setting is refused" 2 "needs pkcs11-module" --key "$URI"
refuse "a URI with a PIN in it is refused" 2 "carries no PIN" --key "pkcs11:token=dx;object=broker?pin-value=1234" "${P11[@]}"
chmod 644 "$HSM_PIN_FILE"
refuse "a PIN file others may read is refused" 1 "readable by group or others" --key "$URI" "${P11[@]}"
chmod 600 "$HSM_PIN_FILE"
rm -rf "$T/dz"
check "--key pkcs11: without --transport-key is refused" 2 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/dz" \
  --policies "$T/policies" --key "$URI" "${P11[@]}" --master-key "$T/keys/master.key"
check_grep "saying the transport secret stays in a file" "$T/err" "needs --transport-key"
# a key file whose sign_key is not the token's key
"$BIN/dx-admin" keygen other --out "$T/k3" >/dev/null 2>&1
rm -rf "$T/dz"
check "a token key that is not the key file's sign_key is refused" 1 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/dz" \
  --policies "$T/policies" --key "$URI" --transport-key "$T/k3/other.key" "${P11[@]}" --master-key "$T/keys/master.key"
check_grep "saying so" "$T/err" "is not the sign_key"
if [ -e "$T/dz" ]; then fail "no refused start made a data directory" "$T/dz exists"; else pass "no refused start made a data directory"; fi
check "--check-config opens the token" 0 "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$T/data" --policies "$T/policies" \
  --master-key "$MASTER" --key "$URI" --transport-key "$T/keys/broker.key" "${P11[@]}" --check-config
check_grep "and says the token signs" "$T/out" "in the token; it signs"

# day two: a deployment that began with a master key file moves it into
# the token, its broker stopped
mv "$T/data" "$T/data.token"
mv "$T/state" "$T/state.token"   # the agents' witnessed heads are of the other log
TOKEN_MASTER=$MASTER
MASTER=$T/keys/master.key
start_broker_hsm --key "$URI" --transport-key "$T/keys/broker.key" "${P11[@]}" || exit 1
check "a store under a master key file" 0 agent health publish health/vaccination/m1 "$T/d.csv" "${P11[@]}"
MOVE=("$BIN/dx-admin" master-key move --data "$T/data" --to "pkcs11:token=dx;object=moved" --master-key "$T/keys/master.key" "${P11[@]}")
check "moving the key of a running broker's store is refused" 1 "${MOVE[@]}"
check_grep "saying to stop it" "$T/err" "in use by a running broker"
stop_broker
check "dx-admin master-key move rewraps its content keys under a new key on the token" 0 "${MOVE[@]}"
check_grep "saying from which key to which, and what to do" "$T/out" \
  "moved [1-9][0-9]* content keys of .* from master key [0-9a-f]{16} \($T/keys/master.key\) to [0-9a-f]{16} \(token dx, key moved\): start the broker with master-key: pkcs11:token=dx;object=moved"
check "the old key no longer opens the store" 4 "${MOVE[@]}"
check "a move to the key it is under has nothing to do" 1 "$BIN/dx-admin" master-key move --data "$T/data" \
  --to "pkcs11:token=dx;object=moved" --master-key "pkcs11:token=dx;object=moved" "${P11[@]}"
check_grep "saying so" "$T/err" "already"
check "backup check says the same" 4 "$BIN/dx-admin" backup check "$T/data" --master-key "$T/keys/master.key"
MASTER="pkcs11:token=dx;object=moved"
start_broker_hsm --key "$URI" --transport-key "$T/keys/broker.key" "${P11[@]}" || exit 1
check "the broker starts on the token's key and serves what was stored before" 0 \
  agent health fetch health/vaccination/m1 --purpose operations -o "$T/m1.csv" "${P11[@]}"
check "the same bytes" 0 cmp "$T/d.csv" "$T/m1.csv"
check "and the log verifies" 0 audit auditor verify
stop_broker
MASTER=$TOKEN_MASTER
