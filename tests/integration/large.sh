# A dataset larger than memory should ever need: 210 MiB streamed in and out
# in 1 MiB chunks under credit. The broker's peak resident memory (VmHWM)
# stays bounded, and the bytes come back exactly.
. "$(dirname "$0")/lib.sh"
# Under AddressSanitizer freed memory sits in a quarantine (256 MiB by
# default); keep it small so resident memory still means something.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8}
setup_exchange
start_broker || exit 1
SIZE_MIB=${DX_LARGE_MIB:-210}
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$T/big.bin"
base=$(awk '/VmHWM/ {print $2}' /proc/$BROKER_PID/status)

start=$(date +%s.%N)
check "publish $SIZE_MIB MiB" 0 agent health publish health/big/blob "$T/big.bin" --timeout 60
mid=$(date +%s.%N)
check "fetch it back" 0 agent health fetch health/big/blob --purpose operations -o "$T/back.bin" --timeout 60
end=$(date +%s.%N)
[ "$(sha "$T/back.bin")" = "$(sha "$T/big.bin")" ] && pass "the bytes are identical" || fail "the bytes are identical" "hash differs"
peak=$(awk '/VmHWM/ {print $2}' /proc/$BROKER_PID/status)
echo "# $SIZE_MIB MiB: publish $(echo "$mid - $start" | bc) s, fetch $(echo "$end - $mid" | bc) s; broker VmHWM ${base} kB at start, ${peak} kB after"
# bounded memory: far below the dataset's size (a fixed bound, not a time)
# Under AddressSanitizer every allocation carries redzones and shadow
# memory, and the peak follows how many chunks are in flight when the
# machine is busy: 55-67 MiB was seen there for the 54 MiB of the plain
# build, so the instrumented broker gets a looser bound.
limit=64
ldd "$BIN/dx-broker" 2>/dev/null | grep -q libasan && limit=96
[ "$peak" -lt $((limit * 1024)) ] && pass "broker peak RSS under $limit MiB (${peak} kB)" || fail "broker peak RSS under $limit MiB" "${peak} kB"
check "the log verifies" 0 audit auditor verify

# progress: a bar with rate and time left on a terminal, nothing otherwise
head -c $((16 * 1024 * 1024)) /dev/urandom > "$T/mid.bin"
cmd="'$BIN/dx-agent' --broker '$EP' --broker-pub '$T/keys/broker.pub' --key '$T/keys/health.key' --timeout 30"
script -qec "$cmd publish health/big/bar '$T/mid.bin' && $cmd fetch health/big/bar --purpose operations -o '$T/mid.out'" /dev/null > "$T/tty" 2>&1
check_grep "progress on a terminal: publish bar" "$T/tty" "publish \[[#.]{20}\] +[0-9]+%.*MiB/s"
check_grep "progress on a terminal: fetch bar, 100%" "$T/tty" "fetch \[#{20}\] 100%  16.0 MiB / 16.0 MiB"
check "no terminal: the publish" 0 agent health publish health/big/bar "$T/mid.bin"
if grep -q $'\r' "$T/err" || grep -q "MiB/s" "$T/err"; then fail "no terminal: no bar" "$(head -c 200 "$T/err")"; else pass "no terminal: no bar"; fi
