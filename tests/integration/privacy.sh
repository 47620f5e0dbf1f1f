#!/usr/bin/env bash
# Privacy: content encrypted at rest (no plaintext in any file), integrity
# failures of stored chunks, the master key (file, derived, wrong, missing,
# loose), erasure (the content key and the plaintext gone from every file
# of the data directory and of a backup made after), its refusals, info and
# list, and the log still verifying.
set -u
source "$(dirname "$0")/lib.sh"
setup_exchange

# on_disk DIR... -- HEX...: prints each needle (hex) found in any file's bytes
on_disk() {
  python3 - "$@" <<'EOF'
import os, sys
args = sys.argv[1:]
cut = args.index('--')
dirs, needles = args[:cut], [bytes.fromhex(h) for h in args[cut + 1:]]
for d in dirs:
    for root, _, files in os.walk(d):
        for f in files:
            data = open(os.path.join(root, f), 'rb').read()
            for n in needles:
                if n in data:
                    print(n.hex()[:16], os.path.join(root, f))
EOF
}
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# A dataset of three chunks whose every line is unmistakable, and a small one.
python3 - "$T/big.csv" <<'EOF'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('national_id,name,region,vaccinated\n')
    i = 0
    while f.tell() < 2_600_000:
        f.write('PLAINTEXT-MARKER-%08d,"Person %d",north,yes\n' % (i, i))
        i += 1
EOF
sample_csv "$T/small.csv"
MARK=$(hex "PLAINTEXT-MARKER-")
SMALL=$(hex "O\"\"Brien, Pat")

# ---- the master key: refusals at start ----
check "master-key new writes a key file" 0 "$BIN/dx-admin" master-key new "$T/master.key"
check_grep "it names the key by its id" "$T/out" "master key [0-9a-f]{16}"
check "it is mode 0600" 0 test "$(stat -c %a "$T/master.key")" = 600
check "master-key new never overwrites" 1 "$BIN/dx-admin" master-key new "$T/master.key"
chmod 644 "$T/master.key"
check "a master key readable by others is refused" 1 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 \
  --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" --master-key "$T/master.key"
check_grep "with chmod 600 as the fix" "$T/err" "chmod 600"
chmod 600 "$T/master.key"
check "a missing master key is refused" 1 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 \
  --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" --master-key "$T/none.key"
check_grep "in one line that names it" "$T/err" "cannot read the master key .*none.key"
check "and nothing was written" 1 test -e "$T/data/content.keys"

start_broker --master-key "$T/master.key" || exit 1
check_grep "the broker names its master key, never shows it" "$BROKER_LOG" "master key [0-9a-f]{16} \(from "

# ---- encrypted at rest ----
check "publish a dataset of three chunks" 0 agent health publish health/vaccination/big "$T/big.csv"
check "publish a small one (inline)" 0 agent health publish health/vaccination/small "$T/small.csv"
check "fetch the big one" 0 agent health fetch health/vaccination/big --purpose operations -o "$T/big.back"
check "the same bytes" 0 cmp "$T/big.csv" "$T/big.back"
check "fetch the small one" 0 agent health fetch health/vaccination/small --purpose operations -o "$T/small.back"
check "the same bytes" 0 cmp "$T/small.csv" "$T/small.back"
check "a filtered view still works" 0 agent statistics fetch health/vaccination/big --purpose statistics -o "$T/view.csv"
check "without the excluded column" 1 grep -q PLAINTEXT-MARKER "$T/view.csv"
found=$(on_disk "$T/data" -- "$MARK" "$SMALL")
if [ -z "$found" ]; then pass "no plaintext in any file of the data directory"; else fail "no plaintext in any file of the data directory" "$found"; fi
stop_broker
"$TOOLS/dx-vault-dump" "$T/data" --master-key "$T/master.key" > "$T/keys.txt"
check "two content keys, one per version" 0 test "$(wc -l < "$T/keys.txt")" = 2
keys=$(cut -d' ' -f3 "$T/keys.txt" | tr '\n' ' ')
found=$(on_disk "$T/data" -- $keys)
if [ -z "$found" ]; then pass "no raw content key in any file"; else fail "no raw content key in any file" "$found"; fi
found=$(on_disk "$T/data" "$T/policies" -- $(sed -n 's/^master_key: "aes256:\(.*\)"$/\1/p' "$T/master.key" | base64 -d | od -An -tx1 | tr -d ' \n'))
if [ -z "$found" ]; then pass "the master key is not in the data directory"; else fail "the master key is not in the data directory" "$found"; fi

# ---- a wrong master key, and the derived one ----
"$BIN/dx-admin" master-key new "$T/other.key" >/dev/null
check "another master key is refused at start" 1 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 \
  --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" --master-key "$T/other.key"
check_grep "as the wrong master key, in one line" "$T/err" "wrong master key: .* sealed under master key [0-9a-f]{16}"
check "and without --master-key (the derived key) too" 1 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 \
  --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key"
check_grep "saying the key was derived" "$T/err" "derived from the broker key"
check "--check-config says the same" 1 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 \
  --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" --master-key "$T/other.key" --check-config
check_grep "naming the master key" "$T/out" "master key: wrong master key"
check "--check-config with the right key" 0 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 \
  --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" --master-key "$T/master.key" --check-config
check_grep "counts the content keys" "$T/out" "content keys: 2 in "
mkdir -p "$T/derived"
check "a derived master key works too" 0 bash -c "
  '$BIN/dx-broker' --listen tcp://127.0.0.1:0 --data '$T/derived' --policies '$T/policies' \
    --key '$T/keys/broker.key' --check-config | grep -q 'derived from the broker key'"

# ---- stored chunks tampered with: integrity failures (exit 4), logged ----
cp -a "$T/data" "$T/pristine"
"$TOOLS/dx-tamper" "$T/data" chunk-flip 1
start_broker --master-key "$T/master.key" || exit 1
check "a flipped byte in a stored chunk: exit 4" 4 agent health fetch health/vaccination/big --purpose operations -o "$T/x.csv"
check_grep "an integrity failure" "$T/err" "damaged .*integrity"
check "nothing written" 1 test -e "$T/x.csv"
check_grep "the broker logged it" "$BROKER_LOG" "fails its integrity check"
check "the filtered view stops at it too: exit 4" 4 agent statistics fetch health/vaccination/big --purpose statistics -o "$T/x.csv"
check "the failure is in the audit log" 0 audit auditor query --dataset health/vaccination/big --format csv
check_grep "as an integrity error" "$T/out" "integrity"
stop_broker
rm -rf "$T/data"; cp -a "$T/pristine" "$T/data"
"$TOOLS/dx-tamper" "$T/data" chunk-swap 0 1
start_broker --master-key "$T/master.key" || exit 1
check "two chunks swapped: exit 4" 4 agent health fetch health/vaccination/big --purpose operations -o "$T/x.csv"
stop_broker
rm -rf "$T/data"; cp -a "$T/pristine" "$T/data"
"$TOOLS/dx-tamper" "$T/data" chunk-drop 2
start_broker --master-key "$T/master.key" || exit 1
check "the last chunk dropped: exit 4" 4 agent health fetch health/vaccination/big --purpose operations -o "$T/x.csv"
check "nothing written" 1 test -e "$T/x.csv"
stop_broker
rm -rf "$T/data"; cp -a "$T/pristine" "$T/data"
python3 - "$T/data/content.keys" <<'EOF'
import sys
f = open(sys.argv[1], 'r+b'); f.seek(96 + 40); b = f.read(1); f.seek(96 + 40); f.write(bytes([b[0] ^ 1]))
EOF
start_broker --master-key "$T/master.key" || exit 1
check "a flipped byte in a content key's slot: exit 4" 4 agent health fetch health/vaccination/big --purpose operations -o "$T/x.csv"
stop_broker
rm -rf "$T/data"; cp -a "$T/pristine" "$T/data"

# ---- erasure ----
start_broker --master-key "$T/master.key" || exit 1
check "a delivery before the erasure" 0 agent statistics fetch health/vaccination/big --purpose statistics -o "$T/v1.csv"
check "a backup before the erasure" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/before"
check "erase without the admin role: exit 3" 3 admin health erase health/vaccination/big --all-versions --reason "court order 17"
check "erase without a reason: usage" 2 admin office erase health/vaccination/big
check "erase with a reason of control characters: refused" 1 admin office erase health/vaccination/big --all-versions --reason $'two\nlines'
check "erase a version that does not exist" 1 admin office erase health/vaccination/big@9 --reason "court order 17"
check_grep "says so" "$T/err" "has no version 9"
check "erase a dataset that does not exist" 1 admin office erase health/nothing --all-versions --reason "court order 17"
check_grep "says so" "$T/err" "no dataset health/nothing"
check "erase health/vaccination/big@1" 0 admin office erase health/vaccination/big@1 --reason "court order 17"
check_grep "it says which record holds it" "$T/out" "erased health/vaccination/big@1 \(audit record [0-9]+\)"
check "erase it twice: refused" 1 admin office erase health/vaccination/big@1 --reason "again"
check_grep "as already erased" "$T/err" "already erased at"
check "fetch of it: refused, clearly" 1 agent health fetch health/vaccination/big --purpose operations -o "$T/x.csv"
check_grep "saying when, by whom and why" "$T/err" "was erased at .* by office \(court order 17\)"
check "nothing written" 1 test -e "$T/x.csv"
check "info shows it erased" 0 agent health info health/vaccination/big
check_grep "with the reason, to its publisher" "$T/out" "erased: .* by office: court order 17"
check_grep "and keeps its hash" "$T/out" "sha256: +$(sha "$T/big.csv")"
check "info to a consumer" 0 agent statistics info health/vaccination/big
check_grep "shows the time only" "$T/out" "^erased: +[0-9T:.Z-]+ \(the content"
check "list marks it" 0 agent statistics list "health/**"
check_grep "as erased" "$T/out" "health/vaccination/big .*\(erased\)"
check "the small dataset is untouched" 0 agent health fetch health/vaccination/small --purpose operations -o "$T/s2.csv"
check "same bytes" 0 cmp "$T/small.csv" "$T/s2.csv"
check "a new version after the erasure" 0 agent health publish health/vaccination/big "$T/small.csv"
check_grep "is version 2" "$T/out" "version 2"
check "the log records the erasure" 0 audit auditor query --action erase --format csv
check_grep "with who, why and the version's hash" "$T/out" "office.*erase.*health/vaccination/big.*$(sha "$T/big.csv").*court order 17"
check_grep "and the refusals" "$T/out" "already erased"
check "the whole log still verifies" 0 audit auditor verify
check "the read before the erasure is still there" 0 audit auditor query --dataset health/vaccination/big --action read --format csv
check_grep "the statistics read" "$T/out" "statistics"
check "a backup after the erasure" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/after"
stop_broker

erased_key=$(awk '$2 != "" {print}' "$T/keys.txt" | head -1)
"$TOOLS/dx-vault-dump" "$T/data" --master-key "$T/master.key" > "$T/keys2.txt"
big_key=$(grep -v -F -f <(cut -d' ' -f3 "$T/keys2.txt") "$T/keys.txt" | head -1)
check "one content key went (the big version's)" 0 test -n "$big_key"
k=$(echo "$big_key" | cut -d' ' -f3) sealed=$(echo "$big_key" | cut -d' ' -f4)
found=$(on_disk "$T/data" "$T/after" -- "$k" "$sealed" "$MARK")
if [ -z "$found" ]; then pass "after the erasure: neither its key (raw or sealed) nor its plaintext in any file, backup included"; else fail "after the erasure: neither its key (raw or sealed) nor its plaintext in any file, backup included" "$found"; fi
found=$(on_disk "$T/before" -- "$sealed")
if [ -n "$found" ]; then pass "a backup made before still holds the sealed key (the README says what to do)"; else fail "a backup made before still holds the sealed key (the README says what to do)" "not found"; fi
check "the log verifies offline from the backup made after" 0 "$BIN/dx-audit" --db "$T/after" --broker-pub "$T/keys/broker.pub" verify

# ---- erase every version of a name ----
start_broker --master-key "$T/master.key" || exit 1
check "publish a third version" 0 agent health publish health/vaccination/big "$T/small.csv"
check "erase NAME without a version or --all-versions is refused (exit 2)" 2 admin office erase health/vaccination/big --reason "mistaken upload"
check_grep "saying how to ask for every version" "$T/err" "would destroy every version of it: name one .*or add --all-versions"
check "a version and --all-versions together: refused (exit 2)" 2 admin office erase health/vaccination/big@2 --all-versions --reason "mistaken upload"
check "erase NAME --all-versions: every version not yet erased" 0 admin office erase health/vaccination/big --all-versions --reason "mistaken upload"
check "versions 2 and 3" 0 test "$(grep -c '^erased ' "$T/out")" = 2
check "again: every version already erased" 1 admin office erase health/vaccination/big --all-versions --reason "mistaken upload"
check_grep "says so" "$T/err" "every version of health/vaccination/big is already erased"
# many versions: erased in steps of at most 1,000, each its own commit
check "2,500 versions of one name" 0 "$TOOLS/dx-load" fill 2500 64 health/vaccination/many \
  --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key"
check "erase NAME with 2,500 versions" 0 admin office erase health/vaccination/many --all-versions --reason "bulk mistake"
check "every one of them erased, each said" 0 test "$(grep -c '^erased health/vaccination/many@' "$T/out")" = 2500
steps=$(grep -o 'erased member=office dataset=health/vaccination/many versions=[0-9]*' "$BROKER_LOG" | sed 's/.*=//' | tr '\n' ' ')
if [ "$steps" = "1000 1000 500 " ]; then pass "in steps of 1,000 versions"; else fail "in steps of 1,000 versions" "steps: $steps"; fi
check "the last version is erased" 0 agent health info health/vaccination/many@2500
check_grep "says so" "$T/out" "^erased: "
check "the log verifies" 0 audit auditor verify
stop_broker

# ---- the master key's rotation, while the broker runs ----
cp "$T/master.key" "$T/master.old"
start_broker --master-key "$T/master.key" || exit 1
check "rotation without the admin role: exit 3" 3 admin health master-key rotate
check "a backup before the rotation" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/before-rotation"
OLD_ID=$(sed -n 's/^master_key_id: //p' "$T/before-rotation/dx-backup.info")
check_grep "the backup names the master key it needs" "$T/out" "need master key $OLD_ID"
check "and the check says it restores" 0 "$BIN/dx-admin" backup check "$T/before-rotation" --master-key "$T/master.key"
check_grep "under the current key" "$T/out" "restores: its [0-9]+ content keys open under master key $OLD_ID \(the current key"
"$TOOLS/dx-load" publish 4 3 2048 2 --broker "$EP" --broker-pub "$T/keys/broker.pub" \
  --key "$T/keys/health.key" > "$T/load.out" 2>&1 &
LOAD=$!
sleep 1
check "rotate while publishes go on" 0 admin office master-key rotate
check_grep "it says from which key to which, and how many it rewrapped" "$T/out" \
  "master key rotated: [0-9a-f]{16} -> [0-9a-f]{16}, [0-9]+ content keys rewrapped"
wait $LOAD
check_grep "the load ran meanwhile" "$T/load.out" "^[1-9]"
check "the key file now holds another key" 1 cmp -s "$T/master.key" "$T/master.old"
check "still mode 0600" 0 test "$(stat -c %a "$T/master.key")" = 600
check "no temporary file is left" 0 test -z "$(ls -A "$T" | grep -F 'master.key.new' ; ls "$T/data" | grep -F '.new')"
check "the old key is kept beside it, by its id, mode 0600" 0 test "$(stat -c %a "$T/master.key.$OLD_ID")" = 600
check "the kept key is the old one" 0 cmp -s <(grep master_key "$T/master.key.$OLD_ID") <(grep master_key "$T/master.old")
check "what was there before still fetches" 0 agent health fetch health/vaccination/small --purpose operations -o "$T/s3.csv"
check "the same bytes" 0 cmp "$T/small.csv" "$T/s3.csv"
check "the log records the rotation" 0 audit auditor query --action rotate --format csv
check_grep "by office, with both key ids" "$T/out" "master_key,office,rotate.*[0-9a-f]{16} -> [0-9a-f]{16}"
stop_broker
check "every version opens under the new key, none lost" 0 "$TOOLS/dx-check-erasure" "$T/data" --master-key "$T/master.key"
check "the old key no longer opens the store" 1 "$TOOLS/dx-check-erasure" "$T/data" --master-key "$T/master.old"
check "a broker given the old key refuses to start" 1 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 \
  --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" --master-key "$T/master.old"
check_grep "as the wrong master key" "$T/err" "wrong master key"
start_broker --master-key "$T/master.key" || exit 1
check "it restarts with the new one" 0 agent health fetch health/vaccination/small --purpose operations -o "$T/s4.csv"
stop_broker

# ---- day two: the old backup is restored after the rotation ----
check "the backup from before the rotation still restores" 0 "$BIN/dx-admin" backup check "$T/before-rotation" --master-key "$T/master.key"
check_grep "with the kept key" "$T/out" "under master key $OLD_ID \(the kept key .*master.key.$OLD_ID\)"
mv "$T/data" "$T/data.rotated"; cp -a "$T/before-rotation" "$T/data"
start_broker --master-key "$T/master.key" || exit 1
check "the agent accepts the restored log" 0 agent health resync
check "the restored broker serves the old content" 0 agent health fetch health/vaccination/small --purpose operations -o "$T/s5.csv"
check "the same bytes" 0 cmp "$T/small.csv" "$T/s5.csv"
check_grep "its log says it runs on a kept key, and what to do" "$BROKER_LOG" "master-key-kept-in-use key=$OLD_ID .*run dx-admin master-key rotate"
check "rotate the restored store" 0 admin office master-key rotate
stop_broker
check "a backup after" 0 "$BIN/dx-admin" backup --data "$T/data" --out "$T/after-rotation"
NEW_ID=$(sed -n 's/^master_key_id: //p' "$T/after-rotation/dx-backup.info")
echo "# old key $OLD_ID, new key $NEW_ID"
check "retiring the current key is refused" 1 "$BIN/dx-admin" master-key retire "$T/master.key" "$NEW_ID"
check_grep "saying why" "$T/err" "is the current key"
check "retiring a key a store needs is refused" 1 "$BIN/dx-admin" master-key retire "$T/master.key" "$OLD_ID" --data "$T/before-rotation"
check_grep "saying what to do" "$T/err" "rotate first"
check "retire the old key" 0 "$BIN/dx-admin" master-key retire "$T/master.key" "$OLD_ID"
check_grep "retire says what it costs" "$T/out" "backups sealed under it no longer restore"
check "now the old backup's check fails (exit 4)" 4 "$BIN/dx-admin" backup check "$T/before-rotation" --master-key "$T/master.key"
check_grep "naming the key it needs" "$T/err" "would not restore: wrong master key: .*sealed under master key $OLD_ID.*no kept key"
check "a bad key id is a usage error" 2 "$BIN/dx-admin" master-key retire "$T/master.key" nothex
rm -rf "$T/data"; mv "$T/data.rotated" "$T/data"
mkdir -p "$T/d2"
"$BIN/dx-broker" --listen tcp://127.0.0.1:0 --data "$T/d2" --policies "$T/policies" --key "$T/keys/broker.key" \
  > "$T/d2.log" 2>&1 &
D2=$!
wait_until 10 grep -q "listening endpoint" "$T/d2.log"
EP2=$(sed -n 's/.*listening endpoint=\([^ ]*\).*/\1/p' "$T/d2.log")
check "rotation of a derived master key: refused, saying why" 1 "$BIN/dx-admin" master-key rotate --broker "$EP2" \
  --broker-pub "$T/keys/broker.pub" --key "$T/keys/office.key" --timeout 10
check_grep "no key file to replace" "$T/err" "derives its master key"
kill -TERM $D2; wait $D2
