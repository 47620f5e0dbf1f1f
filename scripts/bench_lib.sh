# What the bench scripts share (sourced): a directory of their own with the
# example exchange in it, a broker on a free loopback port, the medians.
#   bench_setup NAME BIN   D (the directory, removed at exit), DX_STATE_DIR
#   bench_broker ARGS...   starts dx-broker with ARGS; PID and EP
#   on_exit CMD            run at exit, before the broker is stopped

ON_EXIT=
bench_finish() {
  [ -n "$ON_EXIT" ] && eval "$ON_EXIT"
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$D"
}

bench_setup() {
  D=$(mktemp -d "/tmp/dx-bench-$1.XXXXXX")
  PID=
  trap bench_finish EXIT
  export DX_STATE_DIR=$D/state
  "$(dirname "${BASH_SOURCE[0]}")/example-exchange.sh" "$D" "$2" >/dev/null
}

bench_broker() {
  "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$D/data" --policies "$D/policies" \
    --key "$D/keys/broker.key" "$@" >"$D/broker.log" 2>&1 &
  PID=$!
  EP=
  for _ in $(seq 100); do
    EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$D/broker.log")
    [ -n "$EP" ] && break
    sleep 0.1
  done
  [ -n "$EP" ] || { echo "bench: the broker did not start: $(tail -2 "$D/broker.log")" >&2; return 1; }
}

median() { python3 -c 'import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
