#!/usr/bin/env bash
# Prepares a runnable copy of the example exchange in DIR:
#   DIR/keys/      fresh keys for the broker and every member of policies/
#   DIR/policies/  the example policy set, with those members' new public keys
# Usage: scripts/example-exchange.sh DIR [BIN_DIR]
set -euo pipefail
dir=$1
bin=${2:-build/bin}
src=$(dirname "$0")/../policies

mkdir -p "$dir/keys" "$dir/policies"
chmod 700 "$dir/keys"
cp "$src"/*.yaml "$dir/policies/"
if [ -d "$src/tests" ]; then mkdir -p "$dir/policies/tests" && cp "$src"/tests/*.yaml "$dir/policies/tests/"; fi
members=$(sed -n 's/^[[:space:]]*- id:[[:space:]]*\([a-z][a-z0-9-]*\).*/\1/p' "$src/members.yaml")
for id in broker $members; do
  [ -f "$dir/keys/$id.key" ] || "$bin/dx-admin" keygen "$id" --out "$dir/keys" >/dev/null 2>&1
done
# Put each member's new public keys in place of the example ones.
awk -v keys="$dir/keys" '
  function key(id, field,   line, v) {
    v = ""
    while ((getline line < (keys "/" id ".pub")) > 0)
      if (line ~ "^" field ":") { sub("^" field ":[ ]*", "", line); v = line }
    close(keys "/" id ".pub")
    return v
  }
  /^[[:space:]]*- id:/ { id = $3 }
  /^[[:space:]]*sign_key:/ { match($0, /^[[:space:]]*/); print substr($0, 1, RLENGTH) "sign_key: " key(id, "sign_key"); next }
  /^[[:space:]]*transport_key:/ { match($0, /^[[:space:]]*/); print substr($0, 1, RLENGTH) "transport_key: " key(id, "transport_key"); next }
  { print }
' "$src/members.yaml" > "$dir/policies/members.yaml"
