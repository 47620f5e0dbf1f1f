#!/usr/bin/env bash
# Installs the Debian packages dx needs, when they are missing. Quiet when
# everything is already there.
#   scripts/deps.sh build    what building needs (make, make deb)
#   scripts/deps.sh          that, and what the tests and the demo need
#   ... --list               print the packages instead
set -euo pipefail
list=
[ "${2:-}" = --list ] || [ "${1:-}" = --list ] && list=1

packages=(
  build-essential pkg-config dpkg-dev
  libzmq3-dev libprotobuf-c-dev protobuf-c-compiler
  liblmdb-dev libssl-dev libyaml-dev libmicrohttpd-dev
  librados-dev libcurl4-openssl-dev libp11-kit-dev
)
if [ "${1:-}" != build ]; then  # the tests' and the demo's
  packages+=(
    lmdb-utils procps redis-server redis-tools iproute2
    python3 python3-zmq python3-cryptography
    clang libclang-rt-14-dev
    man-db systemd prometheus golang-go golang-golang-x-mod-dev lintian
    ceph-mon ceph-osd ceph-common
    softhsm2 opensc
    chromium nginx python3-rdflib
  )
fi
if [ "${DX_DEPS_EXTRA:-}" != "" ]; then
  # shellcheck disable=SC2206
  packages+=(${DX_DEPS_EXTRA})
fi

if [ -n "$list" ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# another apt or dpkg (unattended-upgrades, a desktop updater) may hold the
# lock: wait for it a while rather than fail at once
apt=(apt-get -o DPkg::Lock::Timeout=300 -y -q --no-install-recommends)
if ! "${apt[@]}" install "${missing[@]}" >/dev/null; then
  if ! { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null && "${apt[@]}" install "${missing[@]}" >/dev/null; }; then
    holder=$(fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock 2>/dev/null | tr -s ' ' || true)
    echo "deps.sh: apt-get could not install ${missing[*]}${holder:+: another process (pid$holder) holds the dpkg lock; wait for it to finish (ps -p${holder// /,}) and run again}" >&2
    exit 1
  fi
fi
