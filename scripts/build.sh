#!/bin/bash
# Configure and build accountd in a build directory (default _build).
# Usage: scripts/build.sh [BUILDDIR [configure options...]]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-_build}
shift || true
if [ ! -x configure ] || [ -n "$(find . -path ./_build\* -prune -o \
    \( -name '*.am' -o -name configure.ac \) -newer configure -print | head -1)" ]; then
	autoreconf -fi > /dev/null 2>&1
fi
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ ../configure -nt config.status ] ||
    [ "${*:-}" != "$(cat .configure-args 2> /dev/null)" ]; then
	../configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
	    --runstatedir=/run --enable-werror "$@" > configure.out ||
	    { cat configure.out; exit 1; }
	echo "${*:-}" > .configure-args
fi
make -j"$(nproc)" > make.out 2>&1 || { tail -40 make.out; exit 1; }
