# Shared helpers for integration tests: a fresh example exchange in a
# temporary directory, a real dx-broker on a free loopback port, and checks
# that print "PASS name" or "FAIL name: why" for tests/run.sh to count.
# Every wait is bounded.

BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/bin
TOOLS=$PWD/$BUILD/tests/tools
T=$(mktemp -d /tmp/dx-it.XXXXXX)
export DX_STATE_DIR=$T/state   # agents keep the broker's last head here
BROKER_PID=
BROKER_LOG=
BROKER_STARTS=0
EP=

cleanup() {
  stop_broker >/dev/null 2>&1
  # DX_KEEP=1 keeps the directory (keys, data, broker logs) to look into
  if [ -n "${DX_KEEP:-}" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# check NAME STATUS CMD...: runs CMD, expects exit STATUS. Output is kept in
# $T/out and $T/err for further checks.
check() {
  local name=$1 want=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" = "$want" ]; then
    pass "$name"
  else
    fail "$name" "exit $got, expected $want; stderr: $(head -c 300 "$T/err")"
  fi
}

# check_grep NAME FILE PATTERN: FILE contains PATTERN (grep -E).
check_grep() {
  if grep -qE -- "$3" "$2"; then pass "$1"; else fail "$1" "no /$3/ in $(head -c 300 "$2")"; fi
}

# setup_exchange: keys and policies of the example exchange in $T.
setup_exchange() {
  "$PWD/scripts/example-exchange.sh" "$T" "$BIN" >/dev/null
}

# start_broker [ARGS...]: a broker on a free loopback port; sets EP.
start_broker() {
  mkdir -p "$T/data"
  BROKER_STARTS=$((BROKER_STARTS + 1))
  BROKER_LOG=$T/broker.$BROKER_STARTS.log
  EP=
  "$BIN/dx-broker" --listen "${DX_LISTEN:-tcp://127.0.0.1:*}" --data "$T/data" --policies "$T/policies" \
    --key "$T/keys/broker.key" "$@" >"$BROKER_LOG" 2>&1 &
  BROKER_PID=$!
  local i
  for i in $(seq 100); do
    EP=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$BROKER_LOG")
    [ -n "$EP" ] && kill -0 "$BROKER_PID" 2>/dev/null && return 0
    kill -0 "$BROKER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "broker did not start:" >&2
  cat "$BROKER_LOG" >&2
  BROKER_PID=
  return 1
}

# stop_broker: SIGTERM and wait (bounded); returns the broker's status.
stop_broker() {
  [ -n "$BROKER_PID" ] || return 0
  kill -TERM "$BROKER_PID" 2>/dev/null
  local i status=0
  for i in $(seq 100); do
    kill -0 "$BROKER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -KILL "$BROKER_PID" 2>/dev/null
    status=137
  fi
  wait "$BROKER_PID" 2>/dev/null || status=$?
  BROKER_PID=
  return $status
}

agent() {
  local who=$1
  shift
  "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/$who.key" \
    --timeout 10 "$@"
}

audit() {
  local who=$1
  shift
  "$BIN/dx-audit" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/$who.key" \
    --timeout 10 "$@"
}

# admin WHO COMMAND...: dx-admin's broker commands (erase, status, ...).
admin() {
  local who=$1
  shift
  "$BIN/dx-admin" "$@" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/$who.key" \
    --timeout 10
}

# sample_csv FILE: the vaccination data of the example.
sample_csv() {
  printf 'national_id,name,region,vaccinated\n' > "$1"
  printf '1001,"Doe, Jane",north,yes\n1002,"O""Brien, Pat",south,no\n' >> "$1"
  printf '1003,"Multi\nLine",east,yes\n' >> "$1"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# wait_until SECONDS CMD...: runs CMD every 0.2 s until it succeeds, for
# at most SECONDS of wall time (however long CMD takes); returns 1 if it
# never did.
wait_until() {
  local end=$(( $(date +%s) + $1 ))
  shift
  while :; do
    "$@" && return 0
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.2
  done
}

# free_port: a loopback TCP port nobody listens on now.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# stats_subscriber FILE INBOX [EXTRA_KEY_LINES]: a service config for
# statistics, subscribed to health/vaccination/** for purpose statistics.
stats_subscriber() {
  { printf 'broker: %s\nbroker_pub: %s\nkey: %s\nstate: %s\ntimeout: 3\n' "$EP" \
      "$T/keys/broker.pub" "$T/keys/statistics.key" "$T/stats/state"
    [ -n "${3:-}" ] && printf '%s\n' "$3"
    printf 'subscriptions:\n  - datasets: ["health/vaccination/**"]\n    purpose: statistics\n    inbox: %s\n' "$2"
  } > "$1"
}
