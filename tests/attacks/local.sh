# Attacks by a hostile local user on what dx keeps on disk: whoever may drop
# files into an outbox (or write into an inbox) plants links, hard links and
# FIFOs, swaps names and races renames; another local user reads what dx
# writes; a hostile string tries to forge log fields.
#
# Each attack is one function l_NAME and one entry in LOCAL_ATTACKS. It
# runs against the exchange tests/integration/local_attacks.sh prepares
# (keys, policies, a broker at $EP) and prints nothing when dx held, or one
# line saying what went wrong. To add one: write l_something, add it below.

LOCAL_ATTACKS=(
  outbox_pending_is_a_link
  outbox_sent_is_a_link
  outbox_failed_is_a_link
  dropped_symlink_to_a_secret
  dropped_hard_link_to_a_secret
  dropped_fifo
  pending_entry_swapped_for_a_link
  inbox_directory_is_a_link
  inbox_target_is_a_link
  state_heads_is_a_link
  stale_state_temporaries_are_removed
  backup_is_private_from_its_first_byte
  log_fields_cannot_be_forged
)

# ---- helpers ----

# l_config FILE WHO [outbox DIR DATASET] [inbox DIR PATTERN]: an agent config.
l_config() {
  local file=$1 who=$2
  shift 2
  {
    echo "broker: $EP"
    echo "broker_pub: $T/keys/broker.pub"
    echo "key: $T/keys/$who.key"
    echo "state: $(dirname "$file")/state"
    echo "timeout: 5"
    while [ $# -gt 0 ]; do
      case $1 in
        outbox) printf 'outboxes:\n  - dir: %s\n    dataset: "%s"\n    classification: restricted\n    content_type: text/csv\n' "$2" "$3"; shift 3 ;;
        inbox) printf 'subscriptions:\n  - datasets: ["%s"]\n    purpose: statistics\n    inbox: %s\n' "$3" "$2"; shift 3 ;;
      esac
    done
  } > "$file"
}

# l_run CONFIG LOG SECONDS CMD...: runs the agent service until CMD holds
# (or SECONDS pass), then stops it.
l_run() {
  local cfg=$1 log=$2 secs=$3
  shift 3
  "$BIN/dx-agent" run --config "$cfg" >>"$log" 2>&1 &
  local pid=$!
  wait_until "$secs" "$@"
  local held=$?
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return $held
}

# l_secret DIR: a file only the agent's user may read, in DIR.
l_secret() {
  mkdir -p "$1"
  printf 'national_id,name\n999,SECRET-ONLY-THE-AGENT-READS\n' > "$1/secret.csv"
  chmod 600 "$1/secret.csv"
}

# l_published NAME: whether health published NAME (any version).
l_published() { agent health info "$1" >/dev/null 2>&1; }

# l_untouched DIR: DIR holds exactly the secret, unchanged.
l_untouched() {
  [ "$(ls -A "$1")" = "secret.csv" ] && grep -q SECRET-ONLY "$1/secret.csv"
}

l_dir() { local d=$T/local/$1; mkdir -p "$d"; echo "$d"; }

# ---- the outbox's working directories ----

# l_working_dir_is_a_link WHICH: the outbox's WHICH directory replaced by a
# link to a private directory before the agent runs.
l_working_dir_is_a_link() {
  local d ob
  d=$(l_dir "wd-$1")
  ob=$d/outbox
  mkdir -p "$ob"
  l_secret "$d/private"
  ln -s "$d/private" "$ob/$1"
  printf 'a,b\n1,2\n' > "$ob/dropped.csv"
  l_config "$d/agent.yaml" health outbox "$ob" "health/local/${1#.}-{file}"
  l_run "$d/agent.yaml" "$d/agent.log" 8 grep -q "$1 is a link" "$d/agent.log" ||
    { echo "no line saying $1 is a link: $(tail -2 "$d/agent.log")"; return; }
  l_untouched "$d/private" || { echo "the private directory changed: $(ls -A "$d/private")"; return; }
  [ -f "$ob/dropped.csv" ] || { echo "the dropped file left the outbox"; return; }
  [ -L "$ob/$1" ] || { echo "the link was removed or replaced"; return; }
  l_published "health/local/${1#.}-secret" && { echo "the secret behind the link was published"; return; }
  l_published "health/local/${1#.}-dropped" && echo "the outbox was used through the link"
}

l_outbox_pending_is_a_link() { l_working_dir_is_a_link .pending; }
l_outbox_sent_is_a_link() { l_working_dir_is_a_link sent; }
l_outbox_failed_is_a_link() { l_working_dir_is_a_link failed; }

# ---- what is dropped ----

# l_dropped KIND: KIND planted in the outbox beside an honest file; the
# honest one is published, the planted one left alone with one line.
l_dropped() {
  local kind=$1 d ob
  d=$(l_dir "drop-$kind")
  ob=$d/outbox
  mkdir -p "$ob"
  l_secret "$d/private"
  case $kind in
    symlink) ln -s "$d/private/secret.csv" "$ob/planted.csv" ;;
    hardlink) ln "$d/private/secret.csv" "$ob/planted.csv" ;;
    fifo) mkfifo "$ob/planted.csv" ;;
  esac
  printf 'a,b\n1,2\n' > "$ob/honest.csv"
  l_config "$d/agent.yaml" health outbox "$ob" "health/local/$kind-{file}"
  # two scans (5 s apart): the refusal is said once, not at every scan
  l_run "$d/agent.yaml" "$d/agent.log" 12 test -f "$ob/sent/honest.csv.receipt" || {
    echo "the honest file was not published: $(tail -2 "$d/agent.log")"; return; }
  sleep 6
  l_published "health/local/$kind-planted" && { echo "the planted $kind was published"; return; }
  [ -e "$ob/planted.csv" ] || [ -L "$ob/planted.csv" ] || { echo "the planted $kind was moved"; return; }
  grep -q SECRET-ONLY "$d/private/secret.csv" || { echo "the secret changed"; return; }
  local n
  n=$(grep -c "planted.csv is not a regular file with a single link" "$d/agent.log")
  [ "$n" = 1 ] || echo "the refusal was said $n times, not once: $(tail -2 "$d/agent.log")"
}

l_dropped_symlink_to_a_secret() { l_dropped symlink; }
l_dropped_hard_link_to_a_secret() { l_dropped hardlink; }
l_dropped_fifo() { l_dropped fifo; }

# A name swapped for a link after the agent claimed it (it sits in
# .pending): it must be refused when opened, and only the link moved.
l_pending_entry_swapped_for_a_link() {
  local d ob
  d=$(l_dir swapped)
  ob=$d/outbox
  mkdir -p "$ob/.pending"
  l_secret "$d/private"
  ln -s "$d/private/secret.csv" "$ob/.pending/swapped.csv"
  l_config "$d/agent.yaml" health outbox "$ob" "health/local/swap-{file}"
  l_run "$d/agent.yaml" "$d/agent.log" 8 test -f "$ob/failed/swapped.csv.error" ||
    { echo "not refused into failed/: $(tail -2 "$d/agent.log")"; return; }
  l_published health/local/swap-swapped && { echo "the file behind the link was published"; return; }
  [ -L "$ob/failed/swapped.csv" ] || { echo "failed/ does not hold the link itself"; return; }
  l_untouched "$d/private" || echo "the private directory changed"
}

# ---- the inbox ----

# l_inbox_publish NAME: health publishes a small vaccination file as NAME.
l_inbox_publish() {
  printf 'national_id,name,region,vaccinated\n1,A,north,yes\n' > "$T/local/pub.csv"
  agent health publish "$1" "$T/local/pub.csv" --classification restricted >/dev/null 2>&1
}

# A directory of the inbox (a name segment) replaced by a link elsewhere.
l_inbox_directory_is_a_link() {
  local d name
  d=$(l_dir inbox-dir)
  name=health/vaccination/local-dir-$RANDOM
  mkdir -p "$d/inbox/health" "$d/elsewhere"
  ln -s "$d/elsewhere" "$d/inbox/health/vaccination"
  l_inbox_publish "$name" || { echo "the publish failed"; return; }
  l_config "$d/agent.yaml" statistics inbox "$d/inbox" "health/vaccination/local-dir-*"
  l_run "$d/agent.yaml" "$d/agent.log" 8 grep -q "is a link, not a directory" "$d/agent.log" ||
    { echo "no line saying a directory is a link: $(tail -2 "$d/agent.log")"; return; }
  [ -z "$(ls -A "$d/elsewhere")" ] || echo "written through the link: $(ls -A "$d/elsewhere")"
}

# NAME@VERSION itself planted as a link to a file of the agent's user.
l_inbox_target_is_a_link() {
  local d name leaf
  d=$(l_dir inbox-target)
  leaf=local-target-$RANDOM
  name=health/vaccination/$leaf
  mkdir -p "$d/inbox/health/vaccination"
  echo keep > "$d/victim"
  ln -s "$d/victim" "$d/inbox/health/vaccination/$leaf@1"
  l_inbox_publish "$name" || { echo "the publish failed"; return; }
  l_config "$d/agent.yaml" statistics inbox "$d/inbox" "health/vaccination/local-target-*"
  l_run "$d/agent.yaml" "$d/agent.log" 8 grep -q "$leaf@1 is there but is not a regular file" "$d/agent.log" ||
    { echo "no line about the planted link: $(tail -2 "$d/agent.log")"; return; }
  [ "$(cat "$d/victim")" = keep ] || { echo "the file behind the link was written"; return; }
  [ -L "$d/inbox/health/vaccination/$leaf@1" ] || echo "the link was replaced"
}

# ---- the agent's state ----

l_state_heads_is_a_link() {
  local d ob
  d=$(l_dir state-heads)
  ob=$d/outbox
  mkdir -p "$ob" "$d/state" "$d/elsewhere"
  ln -s "$d/elsewhere" "$d/state/heads"
  printf 'a,b\n1,2\n' > "$ob/one.csv"
  l_config "$d/agent.yaml" health outbox "$ob" "health/local/heads-{file}"
  l_run "$d/agent.yaml" "$d/agent.log" 8 grep -q "heads: it is a link" "$d/agent.log" ||
    { echo "no line saying heads is a link: $(tail -2 "$d/agent.log")"; return; }
  [ -z "$(ls -A "$d/elsewhere")" ] || echo "written through the link: $(ls -A "$d/elsewhere")"
}

# What a killed agent left in its state directory (a head or a cursor being
# saved) is removed; a live process's temporary file is not.
l_stale_state_temporaries_are_removed() {
  local d ob dead
  d=$(l_dir state-temps)
  ob=$d/outbox
  mkdir -p "$ob" "$d/state/heads" "$d/state/cursors" "$d/inbox"
  sh -c 'exit 0' & dead=$!
  wait "$dead"
  touch "$d/state/heads/.0123456789abcdef.tmp-$dead" "$d/state/cursors/.0123456789abcdef.tmp-$dead" \
        "$d/state/heads/.live.tmp-$$"
  printf 'a,b\n1,2\n' > "$ob/one.csv"
  l_config "$d/agent.yaml" health outbox "$ob" "health/local/temps-{file}"
  cat >> "$d/agent.yaml" <<EOT
subscriptions:
  - datasets: ["health/local/temps-*"]
    purpose: statistics
    inbox: $d/inbox
EOT
  l_run "$d/agent.yaml" "$d/agent.log" 8 test -f "$ob/sent/one.csv.receipt" ||
    { echo "nothing published: $(tail -2 "$d/agent.log")"; return; }
  sleep 1
  local left
  left=$(find "$d/state" -name "*.tmp-$dead")
  [ -z "$left" ] || { echo "left behind: $left"; return; }
  [ -e "$d/state/heads/.live.tmp-$$" ] || echo "a live process's temporary file was removed"
}

# ---- what dx writes, and who may read it ----

# A backup into an existing world-readable directory, under umask 000:
# another local user watching the directory must never find a copy it may
# read (the mode is looked at the instant each file appears).
l_backup_is_private_from_its_first_byte() {
  local d
  d=$(l_dir backup)
  "$TOOLS/dx-load" fill 2000 16384 --broker "$EP" --broker-pub "$T/keys/broker.pub" \
    --key "$T/keys/health.key" >/dev/null 2>&1 || { echo "could not fill the store"; return; }
  mkdir -p "$d/out" && chmod 755 "$d/out"
  /usr/bin/python3 - "$d/out" > "$d/modes" <<'PY' &
import os, sys, time
seen, end = {}, time.time() + 60
while time.time() < end and len(seen) < 2:
    for name in ("data.mdb", "content.keys"):
        if name not in seen:
            try:
                seen[name] = oct(os.stat(os.path.join(sys.argv[1], name)).st_mode & 0o777)
            except FileNotFoundError:
                pass
print(" ".join(f"{k}={v}" for k, v in sorted(seen.items())))
PY
  local watcher=$!
  sleep 0.2
  (umask 000; "$BIN/dx-admin" backup --data "$T/data" --out "$d/out" >/dev/null 2>"$d/err") ||
    { kill $watcher 2>/dev/null; echo "the backup failed: $(cat "$d/err")"; return; }
  wait $watcher
  [ "$(cat "$d/modes")" = "content.keys=0o600 data.mdb=0o600" ] ||
    echo "a backup file was readable by others when it appeared: $(cat "$d/modes")"
}

# A content type written to look like log fields reaches a refusal's
# reason: in the JSON log every key must appear once, and the refusal must
# stay the consumer's.
l_log_fields_cannot_be_forged() {
  local d pid ep i
  d=$(l_dir logs)
  "$BIN/dx-broker" --listen 'tcp://127.0.0.1:*' --data "$d/data" --policies "$T/policies" \
    --key "$T/keys/broker.key" --log-format json >"$d/broker.log" 2>&1 &
  pid=$!
  for i in $(seq 100); do
    ep=$(/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["event"] == "listening": print(o["fields"]["endpoint"])' "$d/broker.log" 2>/dev/null)
    [ -n "$ep" ] && break
    sleep 0.1
  done
  printf 'national_id,region\n1,north\n' > "$d/p.csv"
  local forged='text/plain; x="1 member=health event=erase dataset=health/other reason=none"'
  DX_STATE_DIR=$d/state "$BIN/dx-agent" --broker "$ep" --broker-pub "$T/keys/broker.pub" \
    --key "$T/keys/health.key" publish health/vaccination/forged "$d/p.csv" --classification restricted \
    --content-type "$forged" >/dev/null 2>"$d/err" || { kill $pid; echo "publish refused: $(cat "$d/err")"; return; }
  DX_STATE_DIR=$d/state "$BIN/dx-agent" --broker "$ep" --broker-pub "$T/keys/broker.pub" \
    --key "$T/keys/statistics.key" fetch health/vaccination/forged --purpose statistics -o "$d/out" \
    >/dev/null 2>&1
  kill -TERM $pid; wait $pid
  /usr/bin/python3 - "$d/broker.log" <<'PY'
import json, sys
def once(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        print(f"a line has a key twice: {keys}")
        sys.exit(0)
    return dict(pairs)
found = False
for line in open(sys.argv[1]):
    o = json.loads(line, object_pairs_hook=once)
    f = o.get("fields", {})
    if o["event"] == "refused" and "member=health" in f.get("reason", ""):
        found = True
        if f.get("member") != "statistics" or f.get("dataset") != "health/vaccination/forged":
            print(f"the refusal's fields were changed: {f}")
if not found:
    print("no refusal carrying the forged text was logged")
PY
}
