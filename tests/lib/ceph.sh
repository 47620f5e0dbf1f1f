# A real Ceph cluster on loopback for the tests (sourced): one monitor and
# two OSDs (BlueStore on 4 GiB sparse files), started in the foreground by
# hand (no systemd, no manager) and stopped by their PIDs, everything under
# one directory, and a pool of size 2 (min_size 1: one OSD may go; the
# other reports it down within a few seconds). Up in about 10 s here. No
# mock stands in for it anywhere.
#   ceph_start DIR       starts it: CEPH_CONF, CEPH_POOL (dx), CEPH_USER
#                        (admin); 0, or 1 and one line saying why
#   ceph_stop            stops every daemon it started
#   ceph_stop_mon / ceph_start_mon, ceph_kill_osd N / ceph_start_osd N
# The client's waits are bounded in the conf (a down monitor or pool makes
# a client fail in about 10 s, not hang).
CEPH_PIDS=()
CEPH_DIR=

ceph_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ceph_start_mon() {
  ceph-mon -c "$CEPH_CONF" -i a -f >"$CEPH_DIR/log/mon.out" 2>&1 &
  CEPH_MON_PID=$!
  CEPH_PIDS+=("$CEPH_MON_PID")
  local _
  for _ in $(seq 60); do
    timeout 5 ceph -c "$CEPH_CONF" mon stat >/dev/null 2>&1 && return 0
    kill -0 "$CEPH_MON_PID" 2>/dev/null || { echo "ceph: the monitor died: $(tail -1 "$CEPH_DIR/log/mon.out")"; return 1; }
    sleep 0.5
  done
  echo "ceph: the monitor did not answer within 30 s"
  return 1
}

ceph_stop_mon() {
  kill "$CEPH_MON_PID" 2>/dev/null
  wait "$CEPH_MON_PID" 2>/dev/null
}

ceph_start_osd() {
  ceph-osd -c "$CEPH_CONF" -i "$1" -f >>"$CEPH_DIR/log/osd.$1.out" 2>&1 &
  eval "CEPH_OSD_PID_$1=$!"
  CEPH_PIDS+=("$!")
}

ceph_kill_osd() {
  local pid
  eval "pid=\$CEPH_OSD_PID_$1"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

ceph_stop() {
  local p
  for p in "${CEPH_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${CEPH_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  CEPH_PIDS=()
}

# rados as the tests' client, bounded
ceph_rados() { timeout 30 rados -c "$CEPH_CONF" --id "$CEPH_USER" -p "$CEPH_POOL" "$@"; }

ceph_start() {
  local dir=$1 fsid port i uuid
  for tool in ceph-mon ceph-osd ceph ceph-authtool monmaptool rados; do
    command -v "$tool" >/dev/null || { echo "ceph: $tool is not installed (scripts/deps.sh installs it)"; return 1; }
  done
  CEPH_DIR=$dir
  mkdir -p "$dir/mon" "$dir/osd.0" "$dir/osd.1" "$dir/run" "$dir/log"
  fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
  port=$(ceph_free_port)
  CEPH_CONF=$dir/ceph.conf CEPH_POOL=dx CEPH_USER=admin
  cat > "$CEPH_CONF" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$port
mon initial members = a
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = $dir/\$name.keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
mon data = $dir/mon
osd data = $dir/\$name
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 4294967296
osd pool default size = 2
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool delete = true
mon data avail warn = 1
osd memory target = 536870912
public network = 127.0.0.1/32
ms bind ipv6 = false
mon osd min down reporters = 1
mon osd reporter subtree level = osd
osd heartbeat interval = 1
osd heartbeat grace = 3
client mount timeout = 10
rados mon op timeout = 10
rados osd op timeout = 10
CONF
  ceph-authtool --create-keyring "$dir/mon..keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null &&
    ceph-authtool --create-keyring "$dir/client.admin.keyring" --gen-key -n client.admin \
      --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null &&
    ceph-authtool "$dir/mon..keyring" --import-keyring "$dir/client.admin.keyring" >/dev/null &&
    monmaptool --create --addv a "[v2:127.0.0.1:$port]" --fsid "$fsid" "$dir/monmap" >/dev/null &&
    ceph-mon -c "$CEPH_CONF" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/mon..keyring" \
      >/dev/null 2>"$dir/log/mon.mkfs" ||
    { echo "ceph: the monitor could not be made: $(tail -1 "$dir/log/mon.mkfs")"; return 1; }
  ceph_start_mon || return 1
  for i in 0 1; do
    uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    timeout 30 ceph -c "$CEPH_CONF" osd new "$uuid" >/dev/null 2>"$dir/log/osd.$i.new" ||
      { echo "ceph: osd.$i could not be added: $(tail -1 "$dir/log/osd.$i.new")"; return 1; }
    ceph-authtool --create-keyring "$dir/osd.$i.keyring" --gen-key -n "osd.$i" >/dev/null &&
      timeout 30 ceph -c "$CEPH_CONF" auth add "osd.$i" osd 'allow *' mon 'allow profile osd' \
        -i "$dir/osd.$i.keyring" >/dev/null 2>&1 &&
      ceph-osd -c "$CEPH_CONF" -i "$i" --mkfs --osd-uuid "$uuid" >/dev/null 2>"$dir/log/osd.$i.mkfs" ||
      { echo "ceph: osd.$i could not be made: $(tail -1 "$dir/log/osd.$i.mkfs")"; return 1; }
    ceph_start_osd "$i"
  done
  timeout 30 ceph -c "$CEPH_CONF" osd pool create "$CEPH_POOL" 8 8 replicated >/dev/null 2>&1 &&
    timeout 30 ceph -c "$CEPH_CONF" osd pool set "$CEPH_POOL" size 2 >/dev/null 2>&1 &&
    timeout 30 ceph -c "$CEPH_CONF" osd pool set "$CEPH_POOL" min_size 1 >/dev/null 2>&1 &&
    timeout 30 ceph -c "$CEPH_CONF" osd pool application enable "$CEPH_POOL" dx >/dev/null 2>&1 ||
    { echo "ceph: the pool could not be made"; return 1; }
  # ready when a write to the pool is acknowledged, within a minute
  local _
  for _ in $(seq 60); do
    timeout 5 rados -c "$CEPH_CONF" -p "$CEPH_POOL" put ready "$CEPH_CONF" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "ceph: the pool acknowledged no write within a minute: $(timeout 10 ceph -c "$CEPH_CONF" -s 2>&1 | tr -s ' \n' ' ' | head -c 300)"
  return 1
}
