# The audit log as a Merkle tree: signed heads (C2SP checkpoints), inclusion
# and consistency proofs online and offline, verification against heads an
# auditor saved, indexed queries, exports checked without the broker, and
# agents that catch a broker showing them a history that does not extend
# what they saw (split view).
. "$(dirname "$0")/lib.sh"
setup_exchange
start_broker || exit 1
sample_csv "$T/d.csv"
for i in 1 2 3; do agent health publish "health/vaccination/v$i" "$T/d.csv" >/dev/null; done
agent statistics fetch health/vaccination/v1 --purpose statistics -o "$T/s1.csv" >/dev/null
agent statistics fetch health/vaccination/v2 --purpose research -o "$T/s2.csv" >/dev/null 2>&1
offline() { "$BIN/dx-audit" --db "$T/data" --broker-pub "$T/keys/broker.pub" "$@"; }

check "the current head" 0 audit auditor head
cp "$T/out" "$T/head1"
check_grep "is a C2SP checkpoint" "$T/head1" "^dx/broker$"
check_grep "signed in signed-note form" "$T/head1" "^— dx/broker [A-Za-z0-9+/=]+$"
check "its verifier key for other tools" 0 audit auditor head --vkey
check_grep "in signed-note vkey form" "$T/out" "^dx/broker\+[0-9a-f]{8}\+A[A-Za-z0-9+/=]{43}$"
size1=$(sed -n 2p "$T/head1")
check "the history of heads" 0 audit auditor heads
check_grep "lists heads by size" "$T/out" "^current:"

check "prove a record online" 0 audit auditor prove 3
check_grep "the proof verifies" "$T/out" "record 3 is in the log of [0-9]+ records signed by dx/broker at .*: inclusion proof of [0-9]+ hashes verified"
check "prove a record offline" 0 offline prove 3
check "prove in an older tree" 0 audit auditor prove 2 --size 4
check_grep "of that size" "$T/out" "in the log of 4 records"
check "prove a record that does not exist (exit 1)" 1 audit auditor prove 100000
check "a non-auditor may not get proofs (exit 3)" 3 audit statistics prove 1

for i in 4 5; do agent health publish "health/vaccination/v$i" "$T/d.csv" >/dev/null; done
check "consistency with a saved head" 0 audit auditor consistency --old-head "$T/head1"
check_grep "the log extends it" "$T/out" "consistent: the log of [0-9]+ records .* extends the log of $size1 records"
check "consistency offline, from a saved head" 0 offline consistency --old-head "$T/head1"
check "consistency from an old size the broker signs for on demand" 0 audit auditor consistency 2 4
check "verify against a head saved earlier" 0 audit auditor verify --since-head "$T/head1"
check_grep "says so" "$T/out" "consistent with the head you saved"
check "verify offline against it" 0 offline verify --since-head "$T/head1"

check "query by purpose" 0 audit auditor query --purpose research --format csv
check_grep "finds the refused research read" "$T/out" ",read,statistics,read,health/vaccination/v2,.*,research,deny,"
check "query by rule" 0 audit auditor query --rule stats-reads-vaccination --format csv
[ "$(grep -c stats-reads-vaccination "$T/out")" -ge 1 ] && ! grep -q ",owner," "$T/out" && pass "only that rule's decisions" || fail "only that rule's decisions" "$(cat "$T/out")"
check "query by version" 0 audit auditor query --version 1 --dataset 'health/vaccination/v1' --format csv
[ "$(tail -n +2 "$T/out" | wc -l)" -ge 2 ] && pass "the publish and the read of v1" || fail "the publish and the read of v1" "$(cat "$T/out")"
check "query with proofs" 0 audit auditor query --member statistics --with-proofs --format json
if python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["member"] == "statistics" and r["tree_size"] > 0 and len(r["proof"]) > 0 for r in rows)
' "$T/out"; then pass "each record comes with its verified proof"; else fail "each record comes with its verified proof" "$(head -c 300 "$T/out")"; fi

check "export a time range" 0 audit auditor export --since 2000-01-01
cp "$T/out" "$T/export"
check "the export verifies with only broker.pub" 0 "$BIN/dx-audit" --broker-pub "$T/keys/broker.pub" verify --file "$T/export"
check_grep "complete and included" "$T/out" "export verified: [0-9]+ records \(seq 1\.\.[0-9]+\), complete for the range"
sed '5d' "$T/export" > "$T/export-gap"
check "an export with a record removed fails (exit 4)" 4 "$BIN/dx-audit" --broker-pub "$T/keys/broker.pub" verify --file "$T/export-gap"
python3 - "$T/export" "$T/export-edit" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
for i, l in enumerate(lines):
    if l.startswith("record 3 "):
        tag, seq, rec, proof = l.split(" ")
        b = bytearray(base64.b64decode(rec)); b[-40] ^= 1
        lines[i] = " ".join([tag, seq, base64.b64encode(bytes(b)).decode(), proof])
open(sys.argv[2], "w").write("\n".join(lines))
PY
check "an export with an edited record fails (exit 4)" 4 "$BIN/dx-audit" --broker-pub "$T/keys/broker.pub" verify --file "$T/export-edit"
check_grep "naming it" "$T/err" "record 3 is not in the signed log"
check "an export checked with another key fails (exit 4)" 4 "$BIN/dx-audit" --broker-pub "$T/keys/health.pub" verify --file "$T/export"

# an agent witnesses the log; the broker's data is then forked: the same key
# signs two histories, and the agent that saw one refuses the other
cp "$T/state/heads/"* "$T/agent-head" 2>/dev/null
stop_broker
cp -a "$T/data" "$T/fork"
cp -a "$T/data" "$T/fork-base"
start_broker || exit 1
agent health publish health/vaccination/a1 "$T/d.csv" >/dev/null
agent health publish health/vaccination/a2 "$T/d.csv" >/dev/null
check "the agent keeps up with the real log" 0 agent health publish health/vaccination/a3 "$T/d.csv"
audit auditor head > "$T/head-real"
stop_broker
mv "$T/data" "$T/real"
mv "$T/fork" "$T/data"
start_broker || exit 1
for i in 1 2 3 4 5; do agent education list >/dev/null 2>&1; done
check "the forked broker's own log verifies" 0 audit auditor verify
check "but not against the head the auditor saved (exit 4)" 4 audit auditor verify --since-head "$T/head-real"
check_grep "saying the history was rewritten" "$T/err" "VERIFICATION FAILED"
check_grep "naming it a rollback, not tampering" "$T/err" "the log was rolled back and has grown since: it verifies against its [0-9]+ own signed heads"
check "an agent that saw the real log refuses the fork (exit 4)" 4 agent health fetch health/vaccination/v1 --purpose operations -o "$T/fork.csv"
check_grep "as a restore or a fork, with what to run" "$T/err" "restored from a backup and has written since, or its history was rewritten \(a fork\).*dx-agent resync"
[ ! -e "$T/fork.csv" ] && pass "and writes no file" || fail "and writes no file" "file exists"
check "an agent that never saw the real log accepts the fork" 0 env DX_STATE_DIR="$T/other-state" "$BIN/dx-agent" --broker "$EP" --broker-pub "$T/keys/broker.pub" --key "$T/keys/health.key" fetch health/vaccination/v1 --purpose operations -o "$T/fork.csv"
stop_broker

# truncate and re-sign: the operator puts back an older copy of the data
# (a shorter log, every head in it validly signed by the broker's key)
rm -rf "$T/data" && cp -a "$T/fork-base" "$T/data"
start_broker || exit 1
check "a restored older log verifies on its own" 0 audit auditor verify
check "but not against a head saved since (exit 4)" 4 audit auditor verify --since-head "$T/head-real"
check_grep "which covers more records than the log now has" "$T/err" "the log was rolled back: it has [0-9]+ records, fewer than the [0-9]+ of the head you saved"
stop_broker

# tampering the stopped broker's log: an inserted record
rm -rf "$T/copy" && cp -a "$T/real" "$T/copy"
"$TOOLS/dx-tamper" "$T/copy" insert 4
check "an inserted record is found (exit 4)" 4 "$BIN/dx-audit" --db "$T/copy" --broker-pub "$T/keys/broker.pub" verify
check_grep "and named" "$T/err" "record 5 carries sequence number 4"
