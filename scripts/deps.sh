#!/bin/bash
# Install what accountd needs to build and to run its tests, from Debian's
# archive (Debian 12).  Run as root.  Idempotent: installs only what is
# missing.  Usage: scripts/deps.sh [build|test]
set -euo pipefail
what=${1:-test}
pkgs=(build-essential autoconf automake pkg-config
      libevent-dev libcgroup-dev libjson-c-dev)
if [ "$what" = test ]; then
	pkgs+=(util-linux procps)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" ||
	    missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "deps.sh: needs root to install: ${missing[*]}" >&2; exit 1; }
	echo "deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
