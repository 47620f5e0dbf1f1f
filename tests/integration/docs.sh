#!/usr/bin/env bash
# The docs say one thing: every option in a program's usage text is in its
# man page and back, every command of a program is in its man page, every
# file the README's deployment uses is described, and the shipped examples
# agree with the README.
set -u
source "$(dirname "$0")/lib.sh"

# options: --long words in `PROG --help`, against \-\-long in its man page
# (lines of the man page that show another program's command are skipped)
for prog in dx-broker dx-agent dx-admin dx-audit; do
  man=$(ls dist/man/$prog.[0-9])
  usage=$("$BIN/$prog" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
  others=$(echo dx-broker dx-agent dx-admin dx-audit | tr ' ' '\n' | grep -v "^$prog$" | paste -sd'|')
  inman=$(grep -v -E "($others)[^(]" "$man" | grep -v "^\.SH\|^\.TH" |
          grep -o -- '\\-\\-[a-z][a-z0-9\\-]*' | sed 's/\\//g' | sort -u)
  missing=$(comm -23 <(echo "$usage") <(echo "$inman") | tr '\n' ' ')
  extra=$(comm -13 <(echo "$usage") <(echo "$inman") | tr '\n' ' ')
  if [ -z "$missing" ]; then pass "$prog: every option of --help is in $(basename "$man")"; else fail "$prog: every option of --help is in $(basename "$man")" "missing: $missing"; fi
  if [ -z "$extra" ]; then pass "$prog: every option of $(basename "$man") is in --help"; else fail "$prog: every option of $(basename "$man") is in --help" "not in --help: $extra"; fi
done

# commands: the words after the program's name in its usage, in the man page
for c in publish fetch list info deliveries run resync; do
  grep -q "^\.BI\? \"\?$c\b" dist/man/dx-agent.1 || missing_agent="${missing_agent:-} $c"
  "$BIN/dx-agent" --help | grep -q "^  $c\b" || missing_usage="${missing_usage:-} $c"
done
if [ -z "${missing_agent:-}" ]; then pass "every dx-agent command is in dx-agent(1)"; else fail "every dx-agent command is in dx-agent(1)" "missing:$missing_agent"; fi
if [ -z "${missing_usage:-}" ]; then pass "every dx-agent command is in its usage"; else fail "every dx-agent command is in its usage" "missing:$missing_usage"; fi
missing=
while read -r w1 w2; do
  grep -q "^\.B dx-admin $w1${w2:+ $w2}" dist/man/dx-admin.8 || missing="$missing [$w1${w2:+ $w2}]"
done < <("$BIN/dx-admin" --help | sed -n 's/^ *\(usage:\)\? *dx-admin \([a-z][a-z0-9-]*\)\( [a-z][a-z0-9-]*\)\?.*/\2\3/p' | sort -u)
if [ -z "$missing" ]; then pass "every dx-admin command is in dx-admin(8)"; else fail "every dx-admin command is in dx-admin(8)" "missing:$missing"; fi
missing=
for c in query verify prove consistency head heads export policy timestamps; do
  "$BIN/dx-audit" --help | grep -q "^  $c\b" || missing="$missing $c(usage)"
  grep -q "^\.B[IR]\? \"\?$c\b" dist/man/dx-audit.1 || missing="$missing $c(man)"
done
if [ -z "$missing" ]; then pass "every dx-audit command is in its usage and dx-audit(1)"; else fail "every dx-audit command is in its usage and dx-audit(1)" "missing:$missing"; fi

# no option runs into its help text
if "$BIN/dx-broker" --help | grep -qE '^  --[a-z-]+ [A-Z:]+[a-z]'; then
  fail "dx-broker --help: no option runs into its text" "$("$BIN/dx-broker" --help | grep -E '^  --[a-z-]+ [A-Z:]+[a-z]')"
else
  pass "dx-broker --help: no option runs into its text"
fi

# every /etc/dx file the README uses is described: shipped as an example,
# or shown as a YAML block that names it
missing=
for f in $(grep -o '/etc/dx/[a-z][a-z.-]*\.yaml' README.md | sort -u); do
  base=$(basename "$f")
  case $base in agent-*.yaml) ex=dist/etc/agent.yaml ;; *) ex=dist/etc/$base ;; esac
  [ -f "$ex" ] && continue
  grep -q "^# $f" README.md || missing="$missing $f"
done
if [ -z "$missing" ]; then pass "every config file the README uses is described"; else fail "every config file the README uses is described" "missing:$missing"; fi

# the shipped agent example and the README agree on where the keys are
ex_pub=$(sed -n 's/^broker_pub: *//p' dist/etc/agent.yaml)
readme_pubs=$(grep -o 'broker_pub: [^ ]*' README.md | sed 's/broker_pub: //' | sort -u)
if [ "$readme_pubs" = "$ex_pub" ]; then pass "README and dist/etc/agent.yaml agree on broker_pub ($ex_pub)"; else fail "README and dist/etc/agent.yaml agree on broker_pub" "README: $readme_pubs; example: $ex_pub"; fi

# the deployment steps do not use a program before the step that installs it
install_line=$(grep -n 'dpkg -i build/dx_' README.md | head -1 | cut -d: -f1)
first_use=$(grep -n '^dx-admin ' README.md | head -1 | cut -d: -f1)
if [ -n "$install_line" ] && [ "$install_line" -lt "$first_use" ]; then pass "the README installs dx before it uses it"; else fail "the README installs dx before it uses it" "install at line $install_line, first dx-admin at $first_use"; fi

# a member pasted with the broker's own key lines is warned about
setup_exchange
"$BIN/dx-admin" keygen broker2 --out "$T/k2" >/dev/null 2>&1
python3 - "$T/policies/members.yaml" "$T/keys/broker.pub" <<'PY'
import re, sys
members, pub = sys.argv[1], open(sys.argv[2]).read()
sign = re.search(r'sign_key: *"?([^"\n]+)', pub).group(1)
curve = re.search(r'transport_key: *"?([^"\n]+)', pub).group(1)
text = open(members).read()
text += f'  - id: pasted\n    roles: [consumer]\n    sign_key: "{sign}"\n    transport_key: "{curve}"\n'
open(members, "w").write(text)
PY
check "policy check without the broker's key: valid" 0 "$BIN/dx-admin" policy check "$T/policies"
check "policy check --broker-pub: still valid, with a warning" 0 "$BIN/dx-admin" policy check "$T/policies" --broker-pub "$T/keys/broker.pub"
check_grep "the warning names the member and what to do" "$T/err" "warning: member 'pasted' has the broker's own sign_key and transport_key: .*dx-admin keygen pasted"
check "the broker's --check-config warns too" 0 "$BIN/dx-broker" --listen tcp://127.0.0.1:0 --data "$T/data" --policies "$T/policies" --key "$T/keys/broker.key" --check-config
check_grep "in its report" "$T/out" "member 'pasted' has the broker's own"
