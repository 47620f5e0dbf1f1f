#!/usr/bin/env bash
# make install / make uninstall: the programs, man pages, systemd units,
# Prometheus alerting rules and examples (a broker config, an agent config,
# the example policy set). It
# never writes /etc: the examples go to share/dx/examples.
#   scripts/install.sh install|uninstall|list PREFIX DESTDIR BUILD
set -euo pipefail
cd "$(dirname "$0")/.."
what=$1 prefix=$2 destdir=$3 build=$4
bindir=$prefix/bin
# systemd looks in /usr/local/lib/systemd/system and /lib/systemd/system
unitdir=$prefix/lib/systemd/system
[ "$prefix" = /usr ] && unitdir=/lib/systemd/system
share=$prefix/share/dx/examples

# the files, as "MODE SOURCE TARGET"; units are written from their .in
files() {
  for p in dx-broker dx-agent dx-audit dx-admin; do echo "0755 $build/bin/$p $bindir/$p"; done
  for m in dist/man/*.[0-9]; do echo "0644 $m $prefix/share/man/man${m##*.}/$(basename "$m")"; done
  for u in dist/systemd/*.in; do n=$(basename "$u" .in); echo "0644 $u $unitdir/$n"; done
  echo "0644 dist/etc/broker.yaml $share/broker.yaml"
  echo "0644 dist/etc/agent.yaml $share/agent.yaml"
  for f in policies/*.yaml; do echo "0644 $f $share/policies/$(basename "$f")"; done
  for f in policies/tests/*.yaml; do echo "0644 $f $share/policies/tests/$(basename "$f")"; done
  echo "0644 dist/prometheus/dx-alerts.yml $prefix/share/dx/prometheus/dx-alerts.yml"
}

case $what in
install)
  files | while read -r mode src dst; do
    install -d "$destdir$(dirname "$dst")"
    if [ "${src%.in}" != "$src" ]; then
      sed "s#@BINDIR@#$bindir#g" "$src" > "$destdir$dst.tmp"
      chmod "$mode" "$destdir$dst.tmp"
      mv "$destdir$dst.tmp" "$destdir$dst"
    else
      install -m "$mode" "$src" "$destdir$dst"
    fi
    echo "  INSTALL $destdir$dst"
  done
  ;;
uninstall)
  files | while read -r _ _ dst; do
    [ -e "$destdir$dst" ] && rm -f "$destdir$dst" && echo "  RM      $destdir$dst"
  done
  # the directories install made for dx alone
  for d in "$share/policies/tests" "$share/policies" "$share" "$prefix/share/dx/prometheus" "$prefix/share/dx"; do
    rmdir "$destdir$d" 2>/dev/null || true
  done
  ;;
list)
  files | while read -r _ _ dst; do echo "$dst"; done
  ;;
*)
  echo "usage: scripts/install.sh install|uninstall|list PREFIX DESTDIR BUILD" >&2
  exit 2
  ;;
esac
