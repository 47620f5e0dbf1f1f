# Hostile but authenticated members against a real broker, with a client
# that shares no code with dx (tests/attacks/: its own protobuf, Ed25519
# from python3-cryptography, CURVE from libzmq through python3-zmq). Each
# attack is one entry of the table in tests/attacks/attacks.py.
. "$(dirname "$0")/lib.sh"
setup_exchange
# a member whose transport key an attack replaces
{ "$BIN/dx-admin" keygen rotated --out "$T/keys" 2>/dev/null | sed '1a\    roles: [consumer]'; } >> "$T/policies/members.yaml"
# the extra rules the attacks need (EXTRA_RULES in attacks.py)
sed -n '/^EXTRA_RULES = """/,/^"""/p' tests/attacks/attacks.py | sed '1d;$d' >> "$T/policies/rules.yaml"
start_broker || exit 1
DX_EP=$EP DX_KEYS=$T/keys DX_BIN=$BIN DX_TMP=$T DX_BROKER_LOG=$BROKER_LOG DX_POLICIES=$T/policies \
  /usr/bin/python3 tests/attacks/attacks.py "$@"
kill -0 "$BROKER_PID" 2>/dev/null && pass "the broker survived every attack" || fail "the broker survived every attack" "it died"
check "and its audit log verifies" 0 audit auditor verify
