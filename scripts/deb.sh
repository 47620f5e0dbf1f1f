#!/usr/bin/env bash
# make deb: a Debian package of dx built with dpkg-deb, into
# $BUILD/dx_VERSION_ARCH.deb. It installs the programs under /usr, the man
# pages, the systemd units (enabled, not started), the examples, a system
# user dx, /var/lib/dx (the store, mode 0700) and /etc/dx with a broker.yaml
# from the example when there is none. Purging removes what it added but a
# store in /var/lib/dx, which it keeps and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
version=$(cat VERSION)-1
arch=$(dpkg --print-architecture)
root=$BUILD/deb/root
rm -rf "$BUILD/deb"
mkdir -p "$root/DEBIAN"
scripts/install.sh install /usr "$PWD/$root" "$BUILD" >/dev/null
strip --strip-unneeded "$root"/usr/bin/dx-* 2>/dev/null || true
gzip -9n "$root"/usr/share/man/man*/*
size=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: dx
Version: $version
Architecture: $arch
Maintainer: dx developers <dx@localhost>
Installed-Size: $size
Depends: libc6, libzmq5, libprotobuf-c1, liblmdb0, libssl3, libyaml-0-2, libmicrohttpd12, adduser
Section: net
Priority: optional
Description: inter-agency data exchange: broker, agent, auditor and admin tools
 Departments publish signed datasets to a central broker over CURVE-encrypted
 ZeroMQ; the broker enforces YAML sharing policies and keeps the catalog, the
 content and a tamper-evident audit log in LMDB.
CONTROL
cat > "$root/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd dx >/dev/null; then
    adduser --system --group --home /var/lib/dx --no-create-home --quiet dx
  fi
  install -d -m 0700 -o dx -g dx /var/lib/dx
  install -d -m 0750 -o root -g dx /etc/dx /etc/dx/policies
  install -d -m 0750 -o dx -g dx /etc/dx/keys
  if [ ! -e /etc/dx/broker.yaml ]; then
    install -m 0640 -o root -g dx /usr/share/dx/examples/broker.yaml /etc/dx/broker.yaml
  fi
  if command -v deb-systemd-helper >/dev/null; then
    deb-systemd-helper enable dx-broker.service >/dev/null || true
  fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
  echo "dx: put the broker's key in /etc/dx/keys (dx-admin keygen broker --out /etc/dx/keys; chown dx)"
  echo "dx: and the policy set in /etc/dx/policies, then: systemctl start dx-broker"
fi
SH
cat > "$root/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl stop dx-broker.service 'dx-agent@*.service' >/dev/null 2>&1 || true
fi
SH
cat > "$root/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  if command -v deb-systemd-helper >/dev/null; then
    deb-systemd-helper purge dx-broker.service >/dev/null || true
  fi
  rm -f /etc/dx/broker.yaml
  rmdir /etc/dx/policies /etc/dx/keys /etc/dx 2>/dev/null || true
  if [ -d /var/lib/dx ] && [ -z "$(ls -A /var/lib/dx)" ]; then rmdir /var/lib/dx; fi
  [ -d /var/lib/dx ] && echo "dx: /var/lib/dx holds a store and is kept"
  [ -d /etc/dx ] && echo "dx: /etc/dx holds keys or policies and is kept"
  if getent passwd dx >/dev/null && [ ! -d /var/lib/dx ]; then
    deluser --system --quiet dx >/dev/null 2>&1 || true
  fi
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
SH
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
out=$BUILD/dx_${version}_${arch}.deb
dpkg-deb --root-owner-group --build "$root" "$out" >/dev/null
echo "$out"
