# Hostile frames sent straight to the broker's socket by an authenticated
# member: each gets an error reply (or, past the frame limit, the
# connection is dropped), and the broker goes on serving everyone.
. "$(dirname "$0")/lib.sh"
setup_exchange
start_broker || exit 1

raw() {
  "$TOOLS/dx-rawsend" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" --timeout 3 "$@"
}

check "garbage gets an error reply" 0 raw garbage 200
check_grep "saying it is not a request" "$T/out" "not a valid protobuf|not UTF-8|protocol|unknown"
check "a truncated request gets an error reply" 0 raw truncated
check "an empty frame gets an error reply" 0 raw empty
check "two frames get an error reply" 0 raw multiframe
check_grep "saying one frame" "$T/out" "exactly one frame"
check "an envelope without a request" 0 raw unknown
check_grep "saying unknown" "$T/out" "unknown request type"
check "an unsupported protocol version" 0 raw version
check_grep "saying which version" "$T/out" "protocol version 99"
check "a frame near the limit but malformed" 0 raw garbage 1000000
check "an oversized frame is dropped with the connection (no reply)" 5 raw oversize 3000000
check_grep "the broker logs who sent malformed requests" "$BROKER_LOG" "malformed-request member=health"
for f in "$PWD"/tests/data/frames/*.bin; do
  check "seed frame $(basename "$f")" 0 raw file "$f"
done
kill -0 "$BROKER_PID" 2>/dev/null && pass "the broker is still running" || fail "the broker is still running" "it died"
sample_csv "$T/d.csv"
check "and still serves a normal publish" 0 agent health publish health/after "$T/d.csv"
check "and the audit log verifies" 0 audit auditor verify
