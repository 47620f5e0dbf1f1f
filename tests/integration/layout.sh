#!/usr/bin/env bash
# The broker's files show its architecture and keep it: no circle among
# them, of includes or of the functions they take from each other (a module
# split across files counts once), and each header declares only its own
# module's functions (tests/tools/layout.py reads the objects' symbols).
# The tool itself is checked on a planted circle and a planted declaration.
set -u
source "$(dirname "$0")/lib.sh"

check "no circle among broker/'s files, no header declaring another's functions" 0 \
  python3 tests/tools/layout.py "$BUILD/obj/broker" broker
cat "$T/out" | grep -v '^0 problems$' >&2

# a planted include circle and a planted foreign declaration are found
cp -r broker "$T/broker"
echo '#include "start.h"' >> "$T/broker/commit/record.h"
echo 'int broker_start(int x);' >> "$T/broker/requests/catalog.h"
check "the checker finds a planted circle" 1 python3 tests/tools/layout.py "$BUILD/obj/broker" "$T/broker"
check_grep "and names it" "$T/out" "circle of includes: .*start.*record|circle of includes: .*record.*start"
check_grep "and the foreign declaration" "$T/out" "catalog.h declares broker_start, which is start's"

# every folder of broker/ is in HACKING.md's layout, and every file in its folder's line
for d in broker/*/; do
  d=${d%/}
  check "HACKING.md names $d/" 0 grep -q -- "$d/" HACKING.md
done
