# Hostile local users against the agent service and the files dx writes:
# each attack is one entry of tests/attacks/local.sh (links, swaps, FIFOs,
# hard links, modes, forged log fields), run against a real broker.
. "$(dirname "$0")/lib.sh"
. "$PWD/tests/attacks/local.sh"
setup_exchange
start_broker || exit 1
mkdir -p "$T/local"
for a in "${LOCAL_ATTACKS[@]}"; do
  [ $# -gt 0 ] && [[ " $* " != *" $a "* ]] && continue
  why=$("l_$a" 2>&1)
  if [ -z "$why" ]; then pass "local attack $a"; else fail "local attack $a" "$why"; fi
done
kill -0 "$BROKER_PID" 2>/dev/null && pass "the broker survived" || fail "the broker survived" "it died"
