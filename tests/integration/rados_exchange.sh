#!/usr/bin/env bash
# The whole exchange with its content in a real Ceph pool (content-store
# rados, tests/lib/ceph.sh): bad settings refused in one line before
# anything is touched; publishes inline and streamed, a filtered fetch, a
# refusal; each chunk one object; status and metrics; the offline check;
# an erasure and a retention sweep removing the objects; a backup that
# says what it holds and a restore that serves from the same pool.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../lib/ceph.sh"
trap 'ceph_stop; cleanup' EXIT
if ceph_start "$T/ceph" > "$T/why"; then pass "a Ceph cluster for the content"; else fail "a Ceph cluster for the content" "$(cat "$T/why")"; exit 0; fi
setup_exchange
cat >> "$T/policies/datasets.yaml" <<'EOF'
  - match: "health/short/**"
    owner: health
    classification: restricted
    retention: 3s
EOF
R=(--content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER")
objects() { ceph_rados ls 2>/dev/null | grep -c '^dx\.'; }
objects_are() { [ "$(objects)" = "$1" ]; }

# --- bad settings: one line, exit 2, the data directory never made ---
broker_fresh() {
  "$BIN/dx-broker" --listen tcp://127.0.0.1:1 --data "$T/fresh" --policies "$T/policies" \
    --key "$T/keys/broker.key" "$@"
}
one_line() { [ "$(wc -l < "$T/err")" = 1 ]; }
bad() {  # NAME PATTERN ARGS...
  local name=$1 pattern=$2
  shift 2
  check "$name: refused as a usage error" 2 broker_fresh "$@"
  check_grep "$name: says what is wrong" "$T/err" "$pattern"
  if one_line; then pass "$name: in one line"; else fail "$name: in one line" "$(cat "$T/err")"; fi
  if [ -e "$T/fresh" ]; then fail "$name: nothing touched" "$T/fresh exists"; else pass "$name: nothing touched"; fi
}
bad "no such pool" "rados-pool nosuch: no such pool" --content-store rados --rados-conf "$CEPH_CONF" --rados-pool nosuch --rados-user "$CEPH_USER"
bad "a user Ceph does not know" "Ceph refused client.nobody" --content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user nobody
sed "s|^keyring = .*|keyring = $T/nowhere.keyring|" "$CEPH_CONF" > "$T/nokeyring.conf"
bad "no keyring" "no keyring for it" --content-store rados --rados-conf "$T/nokeyring.conf" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"
bad "no conf" "rados-conf $T/none.conf: No such file" --content-store rados --rados-conf "$T/none.conf" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"
bad "the user as client.ID" "without \"client.\"" --content-store rados --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user client.admin
bad "rados without its pool" "needs --rados-conf, --rados-pool and --rados-user" --content-store rados --rados-conf "$CEPH_CONF"
bad "an unknown store" "content-store: expected lmdb or rados" --content-store s3
check "--check-config connects and writes to the pool" 0 broker_fresh "${R[@]}" --check-config
check_grep "and says so" "$T/out" "^content store: rados, pool dx as client.admin .*: connected, a test object written, read and removed$"
check "--check-config with a wrong pool" 2 broker_fresh --content-store rados --rados-conf "$CEPH_CONF" --rados-pool nosuch --rados-user "$CEPH_USER" --check-config
check_grep "names it" "$T/out" "^content store: rados-pool nosuch: no such pool"
check "--help lists the options" 0 "$BIN/dx-broker" --help
for o in content-store rados-conf rados-pool rados-user rados-timeout; do check_grep "--help: --$o" "$T/out" "^  --$o "; done
if [ -e "$T/fresh" ]; then fail "the checks touch no data directory" "$T/fresh exists"; else pass "the checks touch no data directory"; fi
printf 'content-store: rados\nrados-conf: %s\nrados-pool: %s\nrados-user: %s\n' "$CEPH_CONF" "$CEPH_POOL" "$CEPH_USER" > "$T/broker.yaml"
check "the same keys in the config file" 0 broker_fresh --config "$T/broker.yaml" --check-config
check_grep "are read" "$T/out" "^content-store +rados +\($T/broker.yaml\)"
rm -rf "$T/fresh"

# --- the exchange ---
port=$(free_port)
start_broker "${R[@]}" --retention-every 1 --metrics-listen "127.0.0.1:$port" || exit 1
base=$(objects)
sample_csv "$T/v.csv"
check "a small publish (inline)" 0 agent health publish health/vaccination/q1 "$T/v.csv"
check "is one object" 0 test "$(objects)" = $((base + 1))
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("national_id,name,region,vaccinated\n")
    for i in range(60000):
        f.write("%d,Person %d,region-%d,%s\n" % (100000 + i, i, i % 7, "yes" if i % 3 else "no"))
' "$T/big.csv"
chunks=$(( ($(stat -c %s "$T/big.csv") + 1048575) / 1048576 ))
check "a larger publish (streamed, $chunks chunks)" 0 agent health publish health/vaccination/big "$T/big.csv"
check "one object per chunk" 0 test "$(objects)" = $((base + 1 + chunks))
check "the owner fetches it whole" 0 agent health fetch health/vaccination/big --purpose operations -o "$T/big.out"
check "byte for byte" 0 cmp -s "$T/big.csv" "$T/big.out"
check "statistics fetches its view" 0 agent statistics fetch health/vaccination/big --purpose statistics -o "$T/view.csv"
cut -d, -f2- "$T/big.csv" > "$T/view.want"
check "without national_id, across chunks" 0 cmp -s "$T/view.want" "$T/view.csv"
check "education is refused" 3 agent education fetch health/vaccination/big --purpose statistics -o "$T/no.csv"
check "and gets nothing" 1 test -s "$T/no.csv"
ceph_rados get "$(ceph_rados ls | grep '^dx\.' | sort | head -1)" "$T/obj" 2>/dev/null
if grep -q "Person 1" "$T/obj" || grep -q "national_id" "$T/obj"; then fail "the pool holds only sealed chunks" "plaintext in an object"; else pass "the pool holds only sealed chunks"; fi

check "status" 0 admin office status
check_grep "names the content store" "$T/out" "^content store: +rados: pool dx as client.admin"
check_grep "healthy" "$T/out" "^status: +healthy"
check "status as JSON" 0 admin office status --format json
check_grep "with the content store" "$T/out" "\"content_store\":\"rados: pool dx as client.admin .*\",\"content_down_since\":null"
curl -s "http://127.0.0.1:$port/metrics" > "$T/metrics"
check_grep "metrics: the store answers" "$T/metrics" '^dx_content_store_up\{store="rados"\} 1$'
check_grep "metrics: writes by result" "$T/metrics" '^dx_rados_ops_total\{kind="write",result="ok"\} [1-9]'
check_grep "metrics: reads" "$T/metrics" '^dx_rados_ops_total\{kind="read",result="ok"\} [1-9]'
check_grep "metrics: bytes written" "$T/metrics" '^dx_rados_bytes_total\{kind="write"\} [1-9][0-9]{6}'
check_grep "metrics: a latency histogram" "$T/metrics" '^dx_rados_op_seconds_bucket\{kind="write",le="\+Inf"\} [1-9]'

check "catalog, key slots and pool agree" 0 "$BIN/dx-admin" content check --data "$T/data" --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"
check_grep "counting every chunk" "$T/out" "versions with content: 2, every chunk present \($((chunks + 1)) objects"
content_check() { "$BIN/dx-admin" content check --data "$T/data" --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER" "$@"; }

# --- someone with access to the pool: planted, shortened, altered objects ---
check "an object no row names is planted" 0 ceph_rados put dx.00000000deadbeef.00000000 "$T/v.csv"
check "the check disagrees" 4 content_check
check_grep "naming the orphan" "$T/out" "^DISAGREE object dx.00000000deadbeef.00000000: no version, transfer or trash row names its blob \(an orphan\)$"
check "--all lists every disagreement" 4 content_check --all
ceph_rados rm dx.00000000deadbeef.00000000
q1obj=$(ceph_rados ls | grep '^dx\.' | sort | head -1)
ceph_rados get "$q1obj" "$T/q1.obj"
head -c 100 "$T/q1.obj" > "$T/q1.short"
ceph_rados put "$q1obj" "$T/q1.short"
check "a shortened chunk: the check disagrees" 4 content_check
check_grep "naming it damaged" "$T/out" "^DISAGREE object $q1obj: health/vaccination/q1@1's chunk 0 is 100 bytes, not $(stat -c %s "$T/q1.obj") \(damaged\)$"
check "a fetch of it is an integrity failure" 4 agent statistics fetch health/vaccination/q1 --purpose statistics -o "$T/bad.csv"
check "and releases nothing" 1 test -s "$T/bad.csv"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[40] ^= 1; open(sys.argv[2], "wb").write(b)' "$T/q1.obj" "$T/q1.flip"
ceph_rados put "$q1obj" "$T/q1.flip"
check "an altered chunk of the same size passes the offline check" 0 content_check
check "but not the fetch: integrity failure" 4 agent statistics fetch health/vaccination/q1 --purpose statistics -o "$T/bad.csv"
check "releasing nothing" 1 test -s "$T/bad.csv"
ceph_rados put "$q1obj" "$T/q1.obj"
check "the original put back is served again" 0 agent statistics fetch health/vaccination/q1 --purpose statistics -o "$T/q1.again"

# --- erasure: the key first, then the objects ---
"$TOOLS/dx-fetch-steps" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" health/vaccination/big operations 3 > "$T/steps" 2>&1 &
steps=$!
for i in $(seq 50); do grep -q started "$T/steps" && break; sleep 0.1; done
check "the office erases the large version" 0 admin office erase health/vaccination/big@1 --reason "DPO case 4"
if wait_until 20 objects_are $((base + 1)); then pass "its objects leave the pool"; else fail "its objects leave the pool" "$(objects) objects"; fi
wait $steps
check_grep "a fetch in flight gets no more of it" "$T/steps" "^error: .*erased"
check "its fetch says erased" 1 agent health fetch health/vaccination/big --purpose operations -o "$T/gone.csv"
check_grep "clearly" "$T/err" "erased"
check "the small one is untouched" 0 agent statistics fetch health/vaccination/q1 --purpose statistics -o "$T/q1.csv"
check "still agree" 0 "$BIN/dx-admin" content check --data "$T/data" --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"
check_grep "one erased" "$T/out" "erased versions: 1$"

# --- retention ---
check "publish under a 3 s retention" 0 agent health publish health/short/a "$T/big.csv"
check "its objects are there" 0 test "$(objects)" = $((base + 1 + chunks))
if wait_until 30 objects_are $((base + 1)); then pass "retention erases it, and its objects go"; else fail "retention erases it, and its objects go" "$(objects) objects"; fi

# --- backup: what it holds; a restore serves from the same pool ---
check "a backup" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/backup"
check_grep "says the pool is not in it" "$T/out" "content is in a Ceph pool .*not the datasets' chunks"
check_grep "and how to check after a restore" "$T/out" "dx-admin content check --data $T/backup"
check "the broker stops cleanly" 0 stop_broker
mv "$T/data" "$T/data.old"
cp -a "$T/backup" "$T/data"
rm -f "$T/data/dx-backup.info"
start_broker "${R[@]}" || exit 1
check "the restored store serves from the pool" 0 agent statistics fetch health/vaccination/q1 --purpose statistics -o "$T/q1b.csv"
check "the same view" 0 cmp -s "$T/q1.csv" "$T/q1b.csv"
check "and publishes into it again" 0 agent health publish health/vaccination/q2 "$T/big.csv"
check "a store started with the other content store is refused" 2 "$BIN/dx-broker" --listen tcp://127.0.0.1:1 --data "$T/data.old" --policies "$T/policies" --key "$T/keys/broker.key"
check_grep "saying which it has" "$T/err" "keeps its content in rados, not lmdb"
check "the broker stops cleanly" 0 stop_broker
check "after it all, they agree" 0 "$BIN/dx-admin" content check --data "$T/data" --rados-conf "$CEPH_CONF" --rados-pool "$CEPH_POOL" --rados-user "$CEPH_USER"
check "the log verifies" 0 "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" verify
