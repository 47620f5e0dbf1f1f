#!/usr/bin/env bash
# Installs the Debian packages dx needs to build, test and demonstrate, when
# they are missing. Quiet when everything is already there.
set -euo pipefail

packages=(
  build-essential pkg-config
  libzmq3-dev libprotobuf-c-dev protobuf-c-compiler
  liblmdb-dev libssl-dev libyaml-dev libmicrohttpd-dev
  lmdb-utils procps redis-server redis-tools iproute2
  python3 python3-zmq python3-cryptography
  clang libclang-rt-14-dev
  man-db systemd prometheus golang-go golang-golang-x-mod-dev
)
if [ "${DX_DEPS_EXTRA:-}" != "" ]; then
  # shellcheck disable=SC2206
  packages+=(${DX_DEPS_EXTRA})
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
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
