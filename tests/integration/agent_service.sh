#!/usr/bin/env bash
# The agent as a service (dx-agent run): its config, outboxes, subscriptions,
# inboxes and delivery receipts, against a real broker on a fixed loopback
# port (so that it can be restarted under the agents' feet).
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange
export DX_LISTEN="tcp://127.0.0.1:$(free_port)"
start_broker || exit 1
TODAY=$(date -u +%F)
AGENT_PIDS=()

# config WHO FILE [SECTIONS...]: a service config for WHO, sections from stdin
config() {
  local who=$1 file=$2
  mkdir -p "$(dirname "$file")"
  { printf 'broker: %s\nbroker_pub: %s\nkey: %s\nstate: %s\ntimeout: 3\n' "$EP" "$T/keys/broker.pub" \
      "$T/keys/$who.key" "$T/$who/state"; cat; } > "$file"
}

# run_agent NAME CONFIG: starts a service; its log is $T/NAME.log
run_agent() {
  "$BIN/dx-agent" run --config "$2" >>"$T/$1.log" 2>&1 &
  eval "PID_$1=$!"
  AGENT_PIDS+=($!)
}

# stop_agent NAME [SIGNAL]: stops it, bounded; returns its exit status
stop_agent() {
  local pid
  eval "pid=\${PID_$1:-}"
  [ -n "$pid" ] || return 0
  kill -"${2:-TERM}" "$pid" 2>/dev/null
  local i status=0
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; status=137; }
  wait "$pid" 2>/dev/null || status=$?
  eval "PID_$1="
  return $status
}

cleanup_agents() { for p in "${AGENT_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; cleanup; }
trap cleanup_agents EXIT

count() { find "$1" -maxdepth 1 -type f -name "${2:-*}" 2>/dev/null | wc -l; }
has() { [ "$(count "$1" "${2:-*}")" -ge "$3" ]; }

# ---- 1. the config file ----
bad() { # bad NAME PATTERN: the config on stdin is refused with PATTERN
  config health "$T/bad.yaml"
  check "config refused: $1" 2 "$BIN/dx-agent" run --config "$T/bad.yaml"
  check_grep "config refusal says where: $1" "$T/err" "$2"
}
bad "unknown key" 'bad.yaml:8:5: unknown key .colour. in an outbox' <<'EOF'
outboxes:
  - dir: /tmp/x
    colour: blue
EOF
bad "bad classification" 'bad.yaml:9:21: classification' <<'EOF'
outboxes:
  - dir: /tmp/x
    dataset: health/x
    classification: top-secret
EOF
bad "bad pattern" 'bad.yaml:7:16: datasets: .health/\*\*\*' <<'EOF'
subscriptions:
  - datasets: ["health/***"]
    purpose: statistics
    inbox: /tmp/x
EOF
bad "bad dataset template" "bad.yaml:8:14: dataset: 'Health/\{date\}'" <<'EOF'
outboxes:
  - dir: /tmp/x
    dataset: Health/{date}
EOF
bad "unknown top-level key" 'bad.yaml:6:1: unknown key .outbox.' <<'EOF'
outbox: []
EOF
bad "nothing to run" 'nothing to run' <<'EOF'
EOF
bad "bad log_format" 'bad.yaml:6:13: log_format: text or json' <<'EOF'
log_format: xml
outboxes:
  - dir: /tmp/x
    dataset: health/x
EOF
bad "bad log_level" 'bad.yaml:6:12: log_level: debug, info, warn or error' <<'EOF'
log_level: loud
outboxes:
  - dir: /tmp/x
    dataset: health/x
EOF
check "run without --config" 2 "$BIN/dx-agent" run

# ---- 2. the outbox ----
config health "$T/health/agent.yaml" <<EOF
outboxes:
  - dir: $T/health/outbox/vaccination
    dataset: health/vaccination/{date}
    classification: restricted
    content_type: text/csv
  - dir: $T/health/outbox/misfiled
    dataset: statistics/not-ours
  - dir: $T/health/outbox/big
    dataset: health/big/{file}
    content_type: application/octet-stream
EOF
run_agent health "$T/health/agent.yaml"
OB=$T/health/outbox/vaccination
mkdir -p "$OB" "$T/health/outbox/misfiled"
sample_csv "$T/w1.csv"
echo partial > "$OB/w2.csv.tmp"
echo hidden > "$OB/.w3.csv"
mv "$T/w1.csv" "$OB/week1.csv"
if wait_until 20 has "$OB/sent" "*.receipt" 1; then pass "outbox: a dropped file is published"; else fail "outbox: a dropped file is published" "$(tail -3 "$T/health.log")"; fi
check_grep "outbox: the receipt names the version" "$OB/sent/week1.csv.receipt" "^dataset: health/vaccination/$TODAY$"
check_grep "outbox: the receipt carries the broker's signature" "$OB/sent/week1.csv.receipt" "^signed_receipt: [A-Za-z0-9+/=]{100,}$"
check "outbox: the file is in sent/ unchanged" 0 cmp "$OB/sent/week1.csv" <(sample_csv /dev/stdout)
if [ -f "$OB/w2.csv.tmp" ] && [ -f "$OB/.w3.csv" ]; then pass "outbox: *.tmp and dotfiles are left alone"; else fail "outbox: *.tmp and dotfiles are left alone" "gone"; fi
echo "a,b" > "$T/m.csv"; mv "$T/m.csv" "$T/health/outbox/misfiled/m.csv"
if wait_until 20 test -f "$T/health/outbox/misfiled/failed/m.csv.error"; then pass "outbox: a refusal goes to failed/"; else fail "outbox: a refusal goes to failed/" "$(tail -3 "$T/health.log")"; fi
check_grep "outbox: failed/ says why" "$T/health/outbox/misfiled/failed/m.csv.error" "denied|not allowed|may not"
check_grep "outbox: one log line for the refusal" "$T/health.log" "m.csv refused, moved to"
check "outbox: the refused file is kept" 0 test -f "$T/health/outbox/misfiled/failed/m.csv"

# a file taken away while it is being published: either it was published
# (the receipt stays in sent/) or not; nothing is left half-way
head -c $((48 * 1024 * 1024)) /dev/urandom > "$T/big.bin"
BIG=$T/health/outbox/big
mkdir -p "$BIG"
mv "$T/big.bin" "$BIG/big.bin"
wait_until 20 test -e "$BIG/.pending/big.bin" || true
if ! rm "$BIG/.pending/big.bin" 2>/dev/null; then
  # the publish won the race (48 MiB on loopback can take under the 0.2 s
  # between two looks): nothing was taken away
  echo "# big.bin was published before it could be removed"
  check "published before the removal: in sent/ with its receipt" 0 test -f "$BIG/sent/big.bin.receipt"
  check "and nothing left in .pending" 0 test -z "$(find "$BIG/.pending" -type f)"
else
  if wait_until 30 grep -qE "big.bin was removed (while it was being|before it was) published" "$T/health.log"; then pass "removed while published: one clear line"; else fail "removed while published: one clear line" "$(tail -2 "$T/health.log")"; fi
  sleep 0.5
  check "removed while published: no manifest left" 0 test -z "$(find "$BIG/.pending" -type f)"
  if grep -q "big.bin was removed while" "$T/health.log"; then
    check "removed while published: its receipt is in sent/" 0 test -f "$BIG/sent/big.bin.receipt"
  else
    check "removed before it was published: no receipt" 1 test -e "$BIG/sent/big.bin.receipt"
  fi
fi

# what a crash can leave in .pending: a claimed file, a manifest half saved
# (a hidden temporary file); on restart the file goes once, the rest is
# cleaned up and never published
stop_agent health
mkdir -p "$BIG/.pending"
echo "a,b" > "$BIG/.pending/planted.csv"
echo "half a manifest" > "$BIG/.pending/.planted.csv.manifest.tmp-12345"
run_agent health "$T/health/agent.yaml"
if wait_until 20 test -f "$BIG/sent/planted.csv.receipt"; then pass "after a crash: the claimed file is published"; else fail "after a crash: the claimed file is published" "$(tail -2 "$T/health.log")"; fi
check "after a crash: the half-saved manifest is gone, not published" 0 test -z "$(find "$BIG" -name '*tmp*')"
check "after a crash: one version" 0 agent health info health/big/planted
check_grep "after a crash: version 1 of 1" "$T/out" "^version: +1 \(of 1\)$"

# ---- 3. subscriptions, inboxes, delivery receipts ----
config statistics "$T/statistics/agent.yaml" <<EOF
subscriptions:
  - datasets: ["health/vaccination/**"]
    purpose: statistics
    inbox: $T/statistics/inbox
EOF
run_agent statistics "$T/statistics/agent.yaml"
IN=$T/statistics/inbox/health/vaccination
if wait_until 20 test -f "$IN/$TODAY@1.receipt"; then pass "subscription: the version already there is delivered"; else fail "subscription: the version already there is delivered" "$(tail -3 "$T/statistics.log")"; fi
if grep -q national_id "$IN/$TODAY@1" || grep -q 1001 "$IN/$TODAY@1"; then fail "inbox: the filtered view, not the content" "restricted column in the inbox"; else pass "inbox: the filtered view, not the content"; fi
check_grep "inbox: the receipt says filtered" "$IN/$TODAY@1.receipt" "^filtered: yes$"
check_grep "inbox: the receipt names the delivery record" "$IN/$TODAY@1.receipt" "^delivery_audit_seq: [1-9]"
sample_csv "$T/w4.csv"; mv "$T/w4.csv" "$OB/week2.csv"
if wait_until 20 test -f "$IN/$TODAY@2.receipt"; then pass "subscription: a new version is pushed to the subscriber"; else fail "subscription: a new version is pushed to the subscriber" "$(tail -3 "$T/statistics.log")"; fi
check "deliveries: the publisher asks who received it" 0 agent health deliveries "health/vaccination/$TODAY@2"
check_grep "deliveries: statistics, filtered, receipt in" "$T/out" "statistics +statistics .* filtered +[0-9T:.-]+Z \(record [0-9]+\)"
check "deliveries: of every version" 0 agent health deliveries "health/vaccination/$TODAY"
if [ "$(grep -c statistics "$T/out")" = 2 ]; then pass "deliveries: both versions listed"; else fail "deliveries: both versions listed" "$(cat "$T/out")"; fi
check "deliveries: not for a version one did not publish" 1 agent statistics deliveries "health/vaccination/$TODAY@2"
# stopped between putting a version in place and signing for it: the next
# run signs for it as its note says it came (a filtered view), once
stop_agent statistics
rm "$IN/$TODAY@2.receipt" && printf 'filtered: yes\n' > "$IN/.$TODAY@2.fetched"
rm -rf "$T/statistics/state/cursors"
run_agent statistics "$T/statistics/agent.yaml"
if wait_until 20 test -f "$IN/$TODAY@2.receipt"; then pass "restart: a version in place is signed for"; else fail "restart: a version in place is signed for" "$(tail -3 "$T/statistics.log")"; fi
check_grep "restart: its receipt is accepted and recorded" "$IN/$TODAY@2.receipt" "^delivery_audit_seq: [1-9]"
check "restart: the note is gone" 1 test -e "$IN/.$TODAY@2.fetched"
check "audit: deliveries are in the log" 0 audit auditor query --action receive --format csv
check_grep "audit: a delivery record per version" "$T/out" "delivery,statistics,receive,health/vaccination/$TODAY,2"
check "one-shot fetch signs a delivery receipt too" 0 agent health fetch "health/vaccination/$TODAY@1" --purpose operations -o "$T/own.csv"
check "deliveries: the one-shot fetch's receipt" 0 agent health deliveries "health/vaccination/$TODAY@1"
check_grep "deliveries: health's own, whole" "$T/out" "health +operations .* whole +[0-9T:.-]+Z \(record"

# ---- 4. an offline subscriber catches up: 100 versions, in order, once ----
stop_agent statistics
for i in $(seq 100); do printf 'national_id,name,region,vaccinated\n%d,"P %d",north,yes\n' "$i" "$i" > "$T/b.csv"; mv "$T/b.csv" "$OB/batch-$i.csv"; done
if wait_until 60 has "$OB/sent" "batch-*.receipt" 100; then pass "offline: 100 published meanwhile"; else fail "offline: 100 published meanwhile" "$(count "$OB/sent" "batch-*.receipt")"; fi
: > "$T/statistics.log"
run_agent statistics "$T/statistics/agent.yaml"
if wait_until 60 has "$IN" "*.receipt" 102; then pass "offline: all 100 delivered on return"; else fail "offline: all 100 delivered on return" "$(count "$IN" "*.receipt")"; fi
seen=$(sed -n 's/.*inbox [^ ]*: health\/vaccination\/[0-9-]*@\([0-9]*\) delivered.*/\1/p' "$T/statistics.log" | tr '\n' ' ')
want=$(seq 3 102 | tr '\n' ' ')
if [ "$seen" = "$want" ]; then pass "offline: in order, once each"; else fail "offline: in order, once each" "got: $seen"; fi
reads=$(grep -c "read member=statistics" "$BROKER_LOG")
if [ "$reads" = 102 ]; then pass "offline: each version fetched once"; else fail "offline: each version fetched once" "$reads reads"; fi

# ---- 5. a member that may not list a name is never told of it ----
config education "$T/education/agent.yaml" <<EOF
subscriptions:
  - datasets: ["health/**"]
    purpose: research
    inbox: $T/education/inbox
EOF
DX_LOG_LEVEL=debug run_agent education "$T/education/agent.yaml"
sample_csv "$T/w5.csv"; mv "$T/w5.csv" "$OB/week3.csv"
wait_until 20 test -f "$IN/$TODAY@103.receipt" || true
sleep 1
check "not listable: nothing in the inbox" 0 test -z "$(find "$T/education/inbox" -type f)"
if grep -q "health/" "$T/education.log"; then fail "not listable: the agent never hears the name" "$(grep health/ "$T/education.log" | head -2)"; else pass "not listable: the agent never hears the name"; fi
check "audit: education's feed pages" 0 audit auditor query --member education --format csv
if grep -qE "feed,education,.*[1-9][0-9]* versions visible" "$T/out"; then fail "not listable: no feed page showed it a version" "$(grep feed "$T/out" | head -2)"; else pass "not listable: no feed page showed it a version"; fi
stop_agent education

# ---- 6. a broker restart in the middle of a subscription ----
stop_broker
sample_csv "$T/w6.csv"; mv "$T/w6.csv" "$OB/week4.csv"
if wait_until 30 grep -q "trying again in" "$T/health.log"; then pass "broker down: one line, the file kept"; else fail "broker down: one line, the file kept" "$(tail -2 "$T/health.log")"; fi
check "broker down: the file waits, in the outbox or .pending" 0 test -e "$OB/.pending/week4.csv" -o -e "$OB/week4.csv"
start_broker || exit 1
if wait_until 60 test -f "$IN/$TODAY@104.receipt"; then pass "broker restart: publish and delivery go on"; else fail "broker restart: publish and delivery go on" "$(tail -3 "$T/statistics.log") / $(tail -3 "$T/health.log")"; fi

# ---- 7. a policy reload that withdraws the subscription's right ----
sed -i 's|"health/vaccination/\*\*"|"health/other/**"|' "$T/policies/rules.yaml"
kill -HUP "$BROKER_PID"
if wait_until 10 grep -q "policy-loaded" "$BROKER_LOG"; then pass "withdrawn: the new policy is loaded"; else fail "withdrawn: the new policy is loaded" "$(tail -2 "$BROKER_LOG")"; fi
sleep 0.5
sample_csv "$T/w7.csv"; mv "$T/w7.csv" "$OB/week5.csv"
wait_until 20 test -f "$OB/sent/week5.csv.receipt" || true
sleep 2
if [ -e "$IN/$TODAY@105" ]; then fail "withdrawn: the version is not delivered" "it is in the inbox"; else pass "withdrawn: the version is not delivered"; fi
if grep -q "@105" "$T/statistics.log"; then fail "withdrawn: the subscriber is not told of it" "$(grep @105 "$T/statistics.log")"; else pass "withdrawn: the subscriber is not told of it"; fi

# ---- 8. an inbox that cannot be written, then can ----
sed -i 's|"health/other/\*\*"|"health/vaccination/**"|' "$T/policies/rules.yaml"
stop_agent statistics
rm -rf "$T/statistics/inbox"
echo "not a directory" > "$T/statistics/inbox"
: > "$T/statistics.log"
kill -HUP "$BROKER_PID"; sleep 1
sample_csv "$T/w8.csv"; mv "$T/w8.csv" "$OB/week6.csv"
run_agent statistics "$T/statistics/agent.yaml"
if wait_until 20 grep -q "cannot create it" "$T/statistics.log"; then pass "unwritable inbox: one clear line"; else fail "unwritable inbox: one clear line" "$(tail -3 "$T/statistics.log")"; fi
rm -f "$T/statistics/inbox"
if wait_until 90 test -f "$IN/$TODAY@106.receipt"; then pass "unwritable inbox: delivered once it can be written"; else fail "unwritable inbox: delivered once it can be written" "$(tail -3 "$T/statistics.log")"; fi
check "unwritable inbox: nothing half-written" 0 test -z "$(find "$T/statistics/inbox" -name '.*.tmp-*')"

# ---- 8b. a full disk under the inbox ----
if mount -t tmpfs -o size=1m tmpfs "$T/statistics/inbox/health" 2>/dev/null; then
  MOUNTED=$T/statistics/inbox/health
  dd if=/dev/zero of="$MOUNTED/fill" bs=4k 2>/dev/null || true
  : > "$T/statistics.log"
  sample_csv "$T/w9.csv"; mv "$T/w9.csv" "$OB/week7.csv"
  if wait_until 30 grep -qE "@107 not delivered yet|cannot write in it|cannot create the directory" "$T/statistics.log"; then pass "full disk: one clear line"; else fail "full disk: one clear line" "$(tail -2 "$T/statistics.log")"; fi
  check "full disk: nothing half-written" 0 test -z "$(find "$T/statistics/inbox" -name '.*.tmp-*')"
  check "full disk: not claimed as delivered" 1 test -e "$IN/$TODAY@107.receipt"
  rm -f "$MOUNTED/fill"
  if wait_until 90 test -f "$IN/$TODAY@107.receipt"; then pass "full disk: delivered once there is room"; else fail "full disk: delivered once there is room" "$(tail -2 "$T/statistics.log")"; fi
  stop_agent statistics
  umount "$MOUNTED"
  run_agent statistics "$T/statistics/agent.yaml"
else
  echo "# skipped the full-disk part: cannot mount a tmpfs here (needs root)"
fi

# ---- 8c. a revoked member: a clear line, the file kept for later ----
sed -i '/id: health/,/transport_key/ s/^\(    roles: .*\)$/\1\n    revoked: true/' "$T/policies/members.yaml"
n=$(grep -c "policy-loaded" "$BROKER_LOG")
kill -HUP "$BROKER_PID"
wait_until 10 test "$(grep -c "policy-loaded" "$BROKER_LOG")" -gt "$n" || true
sample_csv "$T/w10.csv"; mv "$T/w10.csv" "$OB/week8.csv"
if wait_until 60 grep -qE "is revoked|refused our key" "$T/health.log"; then pass "revoked: one clear line"; else fail "revoked: one clear line" "$(tail -2 "$T/health.log")"; fi
check "revoked: the file is kept, not failed" 0 test -e "$OB/.pending/week8.csv" -o -e "$OB/week8.csv"
sed -i '/    revoked: true/d' "$T/policies/members.yaml"
kill -HUP "$BROKER_PID"
if wait_until 90 test -f "$OB/sent/week8.csv.receipt"; then pass "revoked, then restored: the file is published"; else fail "revoked, then restored: the file is published" "$(tail -2 "$T/health.log")"; fi

# ---- 9. SIGHUP rereads the config; a broken one is kept out ----
printf 'outboxes: [\n' >> "$T/health/agent.yaml"
kill -HUP "$PID_health"
if wait_until 10 grep -q "config not reloaded, the old one stays" "$T/health.log"; then pass "SIGHUP: a broken config is refused, the old one kept"; else fail "SIGHUP: a broken config is refused, the old one kept" "$(tail -2 "$T/health.log")"; fi
check "SIGHUP: the agent still runs" 0 kill -0 "$PID_health"

# ---- 10. SIGTERM stops cleanly ----
check "SIGTERM: exit 0" 0 stop_agent health
check "SIGTERM: exit 0 (subscriber)" 0 stop_agent statistics
check_grep "SIGTERM: says it stopped" "$T/health.log" "dx-agent stopped"
check "nothing left pending" 0 test -z "$(find "$OB/.pending" -type f)"
