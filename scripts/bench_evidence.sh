#!/usr/bin/env bash
# Keys in hardware (make bench, section n): durable publishes/s of 1 KiB
# datasets (200 publishers) with the broker's signing key in a PKCS#11
# token (SoftHSM2, tests/lib/softhsm.sh), and with its master key there too
# (every content key sealed on the token), against the same broker with
# both keys in files, the three run in turns, RUNS times each; medians.
# Usage: scripts/bench_evidence.sh BIN_DIR TOOLS_DIR OUT_FILE RUNS
set -euo pipefail
BIN=$1 T=$2 OUT=$3 RUNS=${4:-3}
source "$(dirname "$0")/bench_lib.sh"
source "$(dirname "$0")/../tests/lib/softhsm.sh"
bench_setup evidence "$BIN"
hsm_make "$D/hsm" >"$D/hsm.why" || { echo "bench: no SoftHSM2 token: $(cat "$D/hsm.why")" >&2; exit 1; }
P11=(--pkcs11-module "$HSM_MODULE" --pkcs11-pin-file "$HSM_PIN_FILE")
mkdir -p "$D/hsmkeys" && chmod 700 "$D/hsmkeys"
"$BIN/dx-admin" keygen broker --out "$D/hsmkeys" --pkcs11 "pkcs11:token=dx;object=broker" "${P11[@]}" >/dev/null 2>&1
"$BIN/dx-admin" master-key new "$D/master.key" >/dev/null
"$BIN/dx-admin" master-key new "pkcs11:token=dx;object=master" "${P11[@]}" >/dev/null
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
rate() {  # PUB_FILE: publishes/s against the broker at EP
  "$T/dx-load" publish 200 3 1024 2 --broker "$EP" --broker-pub "$1" --key "$D/keys/health.key" | cut -d' ' -f1
}
file_rate=() hsm_rate=() both_rate=()
for _ in $(seq "$RUNS"); do
  bench_broker --data "$D/data-file" --master-key "$D/master.key"
  file_rate+=("$(rate "$D/keys/broker.pub")")
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  bench_broker --data "$D/data-hsm" --master-key "$D/master.key" --key "pkcs11:token=dx;object=broker" \
    --transport-key "$D/hsmkeys/broker.key" "${P11[@]}"
  hsm_rate+=("$(rate "$D/hsmkeys/broker.pub")")
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  bench_broker --data "$D/data-both" --master-key "pkcs11:token=dx;object=master" \
    --key "pkcs11:token=dx;object=broker" --transport-key "$D/hsmkeys/broker.key" "${P11[@]}"
  both_rate+=("$(rate "$D/hsmkeys/broker.pub")")
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
done
fr=$(median "${file_rate[@]}") hr=$(median "${hsm_rate[@]}") br=$(median "${both_rate[@]}")
{
  echo "(n) keys in hardware: the broker's keys in SoftHSM2 (PKCS#11) against key files"
  printf '    publish, 1 KiB, 200 publishers: signing key in the token %10.0f /s   %s x both keys in files (%.0f /s)\n' "$hr" "$(ratio "$hr" "$fr")" "$fr"
  printf '    publish, 1 KiB, 200 publishers: master key there too     %10.0f /s   %s x both keys in files\n' "$br" "$(ratio "$br" "$fr")"
  echo "    (runs: signing key in the token ${hsm_rate[*]}; both ${both_rate[*]}; files ${file_rate[*]})"
} >> "$OUT"
