#!/usr/bin/env bash
# One member's flood against another member's publishes (make bench,
# section j). A broker holding DX_BENCH_FLOOD_VERSIONS (default 50,000)
# versions; health publishes 1 KiB datasets at 100/s for 4 s and its
# latency (p50, p99) is measured alone, then while another member keeps 128
# requests in flight (8 connections of 16) for as long:
#   - education, a member no rule lets list anything, asking the feed from
#     the start of the log;
#   - the auditor, asking for the records of a member that has none (a
#     query that looks as far as a page may).
# Side by side in one run, medians over RUNS runs; the figure that matters
# is the ratio to the latency alone.
# Usage: scripts/bench_flood.sh BIN_DIR TOOLS_DIR OUT_FILE RUNS
set -euo pipefail
BIN=$1 T=$2 OUT=$3 RUNS=${4:-3}
source "$(dirname "$0")/bench_lib.sh"
bench_setup flood "$BIN"
bench_broker
L() { local who=$1; shift; "$T/dx-load" "$@" --broker "$EP" --broker-pub "$D/keys/broker.pub" --key "$D/keys/$who.key"; }
L health fill "${DX_BENCH_FLOOD_VERSIONS:-50000}" 64 >/dev/null
# with: the latency while WHO floods with KIND ("" alone); appends p50 p99 rate
with() {
  local who=$1 kind=$2 flood=
  if [ -n "$kind" ]; then
    L "$who" flood "$kind" 8 16 6 > "$D/flood" &
    flood=$!
    sleep 1
  fi
  read -r a b _ _ < <(L health latency 100 4 1024)
  local rate=0
  if [ -n "$flood" ]; then wait "$flood"; read -r rate _ < "$D/flood"; fi
  echo "$a $b $rate"
}
a50=() a99=() f50=() f99=() fr=() q50=() q99=() qr=()
for _ in $(seq "$RUNS"); do
  read -r x y _ < <(with "" ""); a50+=("$x"); a99+=("$y")
  read -r x y z < <(with education feed); f50+=("$x"); f99+=("$y"); fr+=("$z")
  read -r x y z < <(with auditor audit); q50+=("$x"); q99+=("$y"); qr+=("$z")
done
p50=$(median "${a50[@]}") p99=$(median "${a99[@]}")
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
{
  echo "(j) one member's flood, another member's publishes (1 KiB at 100/s; $(( ${DX_BENCH_FLOOD_VERSIONS:-50000} )) versions stored)"
  printf '    alone                                         p50 %.2f ms, p99 %.2f ms\n' "$p50" "$p99"
  printf '    while education (no rights) floods the feed   p50 %.2f ms, p99 %.2f ms (p99 %s x alone; %.0f feed requests/s answered)\n' \
    "$(median "${f50[@]}")" "$(median "${f99[@]}")" "$(ratio "$(median "${f99[@]}")" "$p99")" "$(median "${fr[@]}")"
  printf '    while the auditor floods audit queries        p50 %.2f ms, p99 %.2f ms (p99 %s x alone; %.0f queries/s answered)\n' \
    "$(median "${q50[@]}")" "$(median "${q99[@]}")" "$(ratio "$(median "${q99[@]}")" "$p99")" "$(median "${qr[@]}")"
} >> "$OUT"
