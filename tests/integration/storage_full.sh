# Storage full: the LMDB map and then the disk itself fill up under
# publishes. The publish that does not fit is refused with a clear error and
# leaves nothing behind; what was acknowledged before still fetches; the
# broker keeps serving reads; the log verifies, online and offline, before
# and after a restart.
. "$(dirname "$0")/lib.sh"
setup_exchange

# fill NAME_PREFIX SIZE: publishes SIZE-byte datasets until one is refused
# (at most 40); leaves the refusal in $T/refused and the refused name in
# $T/refused.name, the last acknowledged one in $T/last and $T/last.name.
fill() {
  local i
  rm -f "$T/last.name"
  for i in $(seq 40); do
    head -c "$2" /dev/urandom > "$T/data.bin"
    if ! agent health publish "$1-$i" "$T/data.bin" --content-type application/octet-stream >/dev/null 2>"$T/refused"; then
      echo "$1-$i" > "$T/refused.name"
      [ -e "$T/last.name" ]
      return
    fi
    cp "$T/data.bin" "$T/last"
    echo "$1-$i" > "$T/last.name"
  done
  return 1
}

full_checks() {
  local what=$1
  check_grep "$what: the refusal says the storage is full" "$T/refused" "storage is full"
  check "$what: the broker is still up" 0 kill -0 "$BROKER_PID"
  check "$what: what was acknowledged before fetches unchanged" 0 \
    agent health fetch "$(cat "$T/last.name")" --purpose operations -o "$T/back"
  [ "$(sha "$T/back")" = "$(sha "$T/last")" ] && pass "$what: same bytes" || fail "$what: same bytes" "hash differs"
  check "$what: list still answers" 0 agent health list 'health/**'
  check "$what: the refused dataset is not in the catalog" 1 \
    agent health info "$(cat "$T/refused.name")"
  check "$what: the log verifies through the broker" 0 audit auditor verify
  check_grep "$what: the broker logs why" "$BROKER_LOG" "storage full"
}

# 1. the LMDB map: 6 MiB, filled with 700 KiB inline datasets, then grown to
# 16 MiB and filled with 2.5 MiB ones that are staged chunk by chunk
start_broker --map-size 6M || exit 1
if fill health/full/small $((700 * 1024)); then
  full_checks "map full (one-chunk publishes)"
else
  fail "the map fills up" "not one 700 KiB publish, or all 40, fitted in 6 MiB"
fi
stop_broker
MP=$(free_port)
start_broker --map-size 16M --metrics-listen "127.0.0.1:$MP" || exit 1
if fill health/full/big $((2560 * 1024)); then
  full_checks "map full (staged chunks)"
else
  fail "the map fills up" "not one 2.5 MiB publish, or all 40, fitted in 10 more MiB"
fi
# Full to the last page (small records fail too): a subscription whose
# request could not be recorded is not kept, however often it is tried.
full=
for i in $(seq 3000); do
  agent health list 'health/**' >/dev/null 2>"$T/list.err" && continue
  grep -q "storage is full" "$T/list.err" && full=1
  break
done
[ -n "$full" ] && pass "full to the last page: a list is refused too" || fail "full to the last page: a list is refused too" "$(cat "$T/list.err")"
subscriptions() {
  /usr/bin/python3 -c 'import sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
print([l.split()[1] for l in t.splitlines() if l.startswith("dx_subscriptions ")][0])' "$MP"
}
cat > "$T/sub.yaml" <<EOT
broker: $EP
broker_pub: $T/keys/broker.pub
key: $T/keys/statistics.key
state: $T/sub-state
timeout: 2
subscriptions:
  - datasets: ["health/**"]
    purpose: statistics
    inbox: $T/sub-inbox
EOT
"$BIN/dx-agent" run --config "$T/sub.yaml" >"$T/sub.log" 2>&1 &
SUB=$!
wait_until 20 grep -q "storage" "$T/sub.log"
sleep 2
got=$(subscriptions)
kill -TERM "$SUB"; wait "$SUB"
if [ "$got" = 0 ]; then pass "full: a watch that could not be recorded subscribes nothing"; else fail "full: a watch that could not be recorded subscribes nothing" "dx_subscriptions $got; $(tail -1 "$T/sub.log")"; fi
check "after a clean stop" 0 stop_broker
check "the log verifies offline" 0 "$BIN/dx-audit" verify --db "$T/data" --broker-pub "$T/keys/broker.pub"
start_broker --map-size 24M || exit 1   # the operator's remedy: a larger map
check "a restarted broker serves what was acknowledged" 0 \
  agent health fetch "$(cat "$T/last.name")" --purpose operations -o "$T/back"
check "and its log verifies" 0 audit auditor verify
stop_broker

# 2. the disk: a 24 MiB tmpfs under a broker whose map would allow 1 GiB
mkdir -p "$T/disk"
if mount -t tmpfs -o size=24m tmpfs "$T/disk" 2>/dev/null; then
  trap 'stop_broker; umount "$T/disk" 2>/dev/null; cleanup' EXIT
  # a new exchange's store on the small disk (the agents' witness state
  # would rightly call a second log under the same key a split view)
  export DX_STATE_DIR=$T/state-disk
  mv "$T/data" "$T/data.before"
  mkdir "$T/disk/data"
  ln -s "$T/disk/data" "$T/data"
  head -c $((6 * 1024 * 1024)) /dev/zero > "$T/disk/filler"   # what an operator can free
  start_broker --map-size 1G || exit 1
  if fill health/disk/big $((2560 * 1024)); then
    full_checks "disk full"
    check "after a clean stop on a full disk" 0 stop_broker
    check "the log verifies offline" 0 "$BIN/dx-audit" verify --db "$T/data" --broker-pub "$T/keys/broker.pub"
    start_broker --map-size 1G || exit 1
    check "a restarted broker on the full disk serves what was acknowledged" 0 \
      agent health fetch "$(cat "$T/last.name")" --purpose operations -o "$T/back"
    rm -f "$T/disk/filler"
    check "once there is room again, publishing works" 0 \
      agent health publish health/disk/after "$T/last" --content-type application/octet-stream
    check "and the log verifies" 0 audit auditor verify
    stop_broker
  else
    fail "the disk fills up" "not one 2.5 MiB publish, or all 40, fitted in 24 MiB"
  fi
  stop_broker
  rm -f "$T/data"
  mv "$T/data.before" "$T/data"
  umount "$T/disk"
else
  echo "# skipped the disk-full part: cannot mount a tmpfs here (needs root)"
fi
