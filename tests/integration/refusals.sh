# Every refusal path of publishing and connecting, with its exit status:
# forged signature, wrong hash, replay, stale manifest, another member's
# namespace, unknown keys, unreachable broker, bad usage.
. "$(dirname "$0")/lib.sh"
setup_exchange
"$BIN/dx-admin" keygen intruder --out "$T/keys" >/dev/null 2>&1
start_broker --skew 5 || exit 1
sample_csv "$T/d.csv"

raw() {
  local who=$1
  shift
  "$TOOLS/dx-publish-raw" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/$who.key" "$@"
}

check "a manifest signed with another key is refused (exit 4)" 4 raw health --sign-with "$T/keys/intruder.key" health/a "$T/d.csv"
check_grep "it says the signature is wrong" "$T/out" "signature does not verify"
check "a manifest naming another publisher is refused (exit 4)" 4 raw statistics --publisher health health/b "$T/d.csv"
check "content that does not match its hash is refused (exit 4)" 4 raw health --wrong-hash health/c "$T/d.csv"
check_grep "it says the content does not match" "$T/out" "does not match the manifest"
head -c 3000000 /dev/urandom > "$T/big.bin"
check "streamed content that does not match its hash is refused (exit 4)" 4 raw health --wrong-hash health/big "$T/big.bin"
check_grep "after the last chunk" "$T/out" "does not match the manifest's sha256"
check "and nothing of it is visible" 1 agent health info health/big

check "a retried manifest returns the first receipt" 0 raw health --nonce 00112233445566778899aabbccddeeff --repeat 2 health/retry "$T/d.csv"
if [ "$(sort -u "$T/out" | wc -l)" = 1 ] && grep -q "ok version 1 " "$T/out"; then
  pass "both attempts got version 1 and the same audit record"
else
  fail "both attempts got version 1 and the same audit record" "$(cat "$T/out")"
fi
printf 'other,content\n' > "$T/other.csv"
check "a used nonce with another manifest is a replay (exit 4)" 4 raw health --nonce 00112233445566778899aabbccddeeff health/retry "$T/other.csv"
check_grep "it says replay" "$T/out" "replay refused"
check "a manifest older than the window is refused (exit 4)" 4 raw health --age 60 health/old "$T/d.csv"
check_grep "it says the window" "$T/out" "outside the broker's window"
check "a manifest from the future is refused (exit 4)" 4 raw health --age -60 health/future "$T/d.csv"
# the retried manifest, replayed after the window has passed
sleep 6
check "an old manifest replayed after the window is refused (exit 4)" 4 raw health --nonce 00112233445566778899aabbccddeeff health/retry "$T/d.csv"

check "publishing into another member's namespace is refused (exit 3)" 3 agent statistics publish health/mine "$T/d.csv"
check_grep "it names the owner" "$T/err" "belongs to health"
check "a classification above the namespace's ceiling is refused (exit 3)" 3 agent health publish health/top "$T/d.csv" --classification secret
check "publishing outside any namespace is refused (exit 3)" 3 agent health publish tax/x "$T/d.csv"

check "an unknown key is refused at the handshake (exit 3, not an outage)" 3 "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/intruder.key" --timeout 5 list
check_grep "it says the key was refused" "$T/err" "refused our key"
check_grep "the broker logs it" "$BROKER_LOG" "handshake-refused"
check "a wrong broker key fails the handshake (exit 5)" 5 "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/health.pub" --key "$T/keys/health.key" --timeout 3 list
check "an unreachable broker (exit 5)" 5 "$BIN/dx-agent" --broker tcp://127.0.0.1:1 --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" --timeout 2 list
check_grep "it says unreachable" "$T/err" "cannot reach the broker"

cp "$T/keys/health.key" "$T/loose.key"
chmod 644 "$T/loose.key"
check "a key file others can read is refused (exit 1)" 1 "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/loose.key" list
check_grep "it says how to fix it" "$T/err" "chmod 600"
check "usage: no command (exit 2)" 2 "$BIN/dx-agent"
check "usage: fetch without --purpose (exit 2)" 2 agent statistics fetch health/x -o "$T/x"
check "usage: a bad dataset name (exit 2)" 2 agent health publish "../etc" "$T/d.csv"
check "usage: missing key (exit 2)" 2 "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" list
check "settings from the environment" 0 env DX_BROKER="$EP" DX_BROKER_PUB="$T/keys/broker.pub" DX_KEY="$T/keys/health.key" "$BIN/dx-agent" list
printf 'broker: %s\nbroker_pub: %s\nkey: %s\ntimeout: 5\n' "$EP" "$T/keys/broker.pub" "$T/keys/health.key" > "$T/agent.yaml"
check "settings from a config file" 0 "$BIN/dx-agent" --config "$T/agent.yaml" list
printf 'broker: [\n' > "$T/bad.yaml"
check "a bad config file (exit 2)" 2 "$BIN/dx-agent" --config "$T/bad.yaml" list

check "every refusal is in the audit log" 0 audit auditor query --decision deny --format csv
for why in "signature does not verify" "does not match the manifest" "replay refused" "outside the broker" "belongs to health"; do
  check_grep "audit has: $why" "$T/out" "$why"
done
check "and the log verifies" 0 audit auditor verify
