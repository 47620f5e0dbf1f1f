# A broker group's members for the tests (sourced after integration/lib.sh
# and lib/ceph.sh): each broker in $T/NAME on its own port (PORT[NAME]),
# started with the caller's G array of options.
#   member NAME [ARGS]   starts it (PID[NAME]), its log in $T/NAME.log
#   ep NAME              its endpoint
#   status_of NAME       dx-admin status, asked as the data office
#   role_is NAME ROLE    its status says role: ROLE
#   caught_up NAME       a standby's status says 0 behind
declare -A PID PORT
member() {
  local n=$1
  shift
  "$BIN/dx-broker" --listen "tcp://127.0.0.1:${PORT[$n]}" --data "$T/$n" --policies "$T/policies" \
    --key "$T/keys/broker.key" "${G[@]}" "$@" >>"$T/$n.log" 2>&1 &
  PID[$n]=$!
}
ep() { echo "tcp://127.0.0.1:${PORT[$1]}"; }
status_of() {
  "$BIN/dx-admin" status --broker "$(ep "$1")" --broker-pub "$T/keys/broker.pub" \
    --key "$T/keys/office.key" --timeout 3 2>/dev/null
}
role_is() { [ "$(status_of "$1" | sed -n 's/^role: *//p')" = "$2" ]; }
caught_up() { status_of "$1" | grep -q "^journal: .*; 0 behind$"; }
