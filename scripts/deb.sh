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
# what Debian asks of every package: its copyright (DEP-5) and changelog
doc=$root/usr/share/doc/dx
mkdir -p "$doc"
cat > "$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: dx
Source: the dx source tree (README.md)

Files: *
Copyright: 2026 the dx developers
License: Apache-2.0

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not
 use this software except in compliance with the License. You may obtain a
 copy of the License at https://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
 WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
 License for the specific language governing permissions and limitations
 under the License.
 .
 On Debian systems, the complete text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
# the changelog's date is the last commit's, so that the package is reproducible
when=$(git log -1 --format=%cD 2>/dev/null || date -R)
cat > "$doc/changelog.Debian" <<CHANGELOG
dx ($version) unstable; urgency=medium

  * Release $(cat VERSION) (see README.md and the git history).

 -- dx developers <dx-developers@example.org>  $when
CHANGELOG
gzip -9n "$doc/changelog.Debian"
size=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: dx
Version: $version
Architecture: $arch
Maintainer: dx developers <dx-developers@example.org>
Installed-Size: $size
Depends: libc6, libzmq5, libprotobuf-c1, liblmdb0, libssl3, libyaml-0-2, libmicrohttpd12, libcurl4, adduser
Suggests: librados2
Section: net
Priority: optional
Description: inter-agency data exchange: broker, agent, auditor and admin tools
 Departments publish signed datasets to a central broker over CURVE-encrypted
 ZeroMQ; the broker enforces YAML sharing policies and keeps the catalog, the
 content and a tamper-evident audit log in LMDB. With librados2 installed
 the datasets' content can live in a Ceph RADOS pool instead.
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
