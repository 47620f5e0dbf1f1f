#!/usr/bin/env bash
# Reads beside the writer (make bench, section k). A broker holding a
# 256 MiB CSV dataset that statistics may read only as a view (national_id
# removed by the filter, on the readers):
#   - fetch throughput of that view with one consumer, then four at once
#     (MiB of the source per second, wall clock);
#   - the writer thread's CPU time per fetched MiB, and the readers', from
#     /proc/PID/task/TID/stat (utime + stime) around the four-consumer run
#     (the threads are named: dx-writer, dx-read-N);
#   - publish latency p50/p99 at 1,000/s (1 KiB, 4 s) alone, then while
#     four consumers fetch the view in a loop, side by side in one run;
#     then again with the consumers at nice 19, as if they ran on other
#     machines (on this one they take the same cores as the broker: their
#     CURVE decryption and writes compete with the writer for the CPU).
# Medians over RUNS runs; the figure that matters is the ratio.
# Usage: scripts/bench_readers.sh BIN_DIR TOOLS_DIR OUT_FILE RUNS
set -euo pipefail
BIN=$1 T=$2 OUT=$3 RUNS=${4:-3}
source "$(dirname "$0")/bench_lib.sh"
bench_setup readers "$BIN"
ON_EXIT='pkill -f "$D/loop" 2>/dev/null || true'
bench_broker --max-dataset 1G
A() { local who=$1; shift; "$BIN/dx-agent" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/$who.key" --timeout 120 "$@"; }
L() { local who=$1; shift; "$T/dx-load" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/$who.key"; }
now() { date +%s.%N; }
# utime + stime (clock ticks) of the broker's threads whose name matches
ticks() {
  local sum=0 t
  for t in /proc/"$PID"/task/*; do
    grep -q "^$1" "$t/comm" 2>/dev/null || continue
    sum=$((sum + $(awk '{print $14 + $15}' "$t/stat")))
  done
  echo "$sum"
}
python3 - "$D/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("national_id,name,region,vaccinated\n")
    i, size, rows = 0, 0, []
    while size < 256 * 1024 * 1024:
        row = "%012d,Person %d,region-%d,%s\n" % (i, i, i % 17, "yes" if i % 3 else "no")
        rows.append(row); size += len(row); i += 1
        if len(rows) == 10000:
            f.write("".join(rows)); rows = []
    f.write("".join(rows))
PY
MIB=$(python3 -c "import os; print(os.path.getsize('$D/big.csv') / 1048576)")
A health publish health/vaccination/big "$D/big.csv" >/dev/null
fetch() { A statistics fetch health/vaccination/big --purpose statistics -o "$D/view.$1" >/dev/null; }
# a consumer that fetches until told to stop
cat > "$D/loop" <<SH
#!/usr/bin/env bash
while [ ! -e "$D/stop" ]; do
  \${NICE:-} "$BIN/dx-agent" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/statistics.key" \\
    --timeout 120 fetch health/vaccination/big --purpose statistics -o "$D/loop.\$1" >/dev/null || exit 1
done
SH
chmod +x "$D/loop"
hz=$(getconf CLK_TCK)
one=() four=() wcpu=() rcpu=() alone50=() alone99=() with50=() with99=() nice50=() nice99=()
# the latency while four consumers loop (NICE: their priority); appends p50 p99
looping() {
  rm -f "$D/stop"
  local pids=() i
  for i in 1 2 3 4; do NICE=$1 "$D/loop" "$i" & pids+=($!); done
  sleep 1
  L health latency 1000 4 1024 | cut -d' ' -f1,2
  touch "$D/stop"
  wait "${pids[@]}"
}
for _ in $(seq "$RUNS"); do
  fetch 0 # warm: the loops before wrote a gigabyte that pushed the store out of the page cache
  t0=$(now); fetch 0; t1=$(now)
  grep -q '^[0-9]*,' "$D/view.0" && { echo "bench: the view holds national_id" >&2; exit 1; }
  one+=("$(python3 -c "print($MIB / ($t1 - $t0))")")
  w0=$(ticks dx-writer) r0=$(ticks dx-read)
  t0=$(now)
  pids=()
  for i in 1 2 3 4; do fetch "$i" & pids+=($!); done
  wait "${pids[@]}"
  t1=$(now)
  w1=$(ticks dx-writer) r1=$(ticks dx-read)
  four+=("$(python3 -c "print(4 * $MIB / ($t1 - $t0))")")
  wcpu+=("$(python3 -c "print(($w1 - $w0) / $hz * 1000 / (4 * $MIB))")")
  rcpu+=("$(python3 -c "print(($r1 - $r0) / $hz * 1000 / (4 * $MIB))")")
  read -r a b _ _ < <(L health latency 1000 4 1024)
  alone50+=("$a") alone99+=("$b")
  read -r a b < <(looping "")
  with50+=("$a") with99+=("$b")
  read -r a b < <(looping "nice -n 19")
  nice50+=("$a") nice99+=("$b")
done
a50=$(median "${alone50[@]}") a99=$(median "${alone99[@]}") w50=$(median "${with50[@]}") w99=$(median "${with99[@]}")
n50=$(median "${nice50[@]}") n99=$(median "${nice99[@]}")
{
  printf '(k) reads beside the writer: a 256 MiB CSV read as a filtered view (national_id removed)\n'
  printf '    fetch, one consumer                            %8.0f MiB/s of the source\n' "$(median "${one[@]}")"
  printf '    fetch, four consumers at once                  %8.0f MiB/s in all\n' "$(median "${four[@]}")"
  printf '    writer thread CPU per fetched MiB              %8.3f ms   (readers: %.2f ms; goal near zero)\n' \
    "$(median "${wcpu[@]}")" "$(median "${rcpu[@]}")"
  printf '    publish at 1,000/s alone                       p50 %.2f ms, p99 %.2f ms\n' "$a50" "$a99"
  printf '    publish at 1,000/s, four consumers fetching    p50 %.2f ms, p99 %.2f ms   p99 %s x alone (goal <= 1.5)\n' \
    "$w50" "$w99" "$(python3 -c "print('%.2f' % ($w99 / $a99))")"
  printf '    the same, the consumers at nice 19             p50 %.2f ms, p99 %.2f ms   p99 %s x alone\n' \
    "$n50" "$n99" "$(python3 -c "print('%.2f' % ($n99 / $a99))")"
  printf '    (runs: one %s; four %s; writer ms/MiB %s; p99 alone %s, with %s, niced %s)\n' "${one[*]}" \
    "${four[*]}" "${wcpu[*]}" "${alone99[*]}" "${with99[*]}" "${nice99[*]}"
} >> "$OUT"
