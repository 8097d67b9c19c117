#!/bin/bash
# build-payload.sh OUTDIR: compile the self-test helpers and lay out a VM payload in OUTDIR
#   OUTDIR/bin/memhog     static if libc.a is there (else dynamic)
#   OUTDIR/bin/dynprobe   dynamically linked (libc, libm): the guest must resolve them
#   OUTDIR/tests/integration/*.sh
# Then: tests/vm/check-vm.sh --payload OUTDIR
set -euo pipefail
[ $# = 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$1
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -Wall -Wextra}
rm -rf "${OUT:?}/bin" "${OUT:?}/tests"
mkdir -p "$OUT/bin" "$OUT/tests/integration"
# shellcheck disable=SC2086  # CFLAGS is a list of flags
if ! $CC $CFLAGS -static -o "$OUT/bin/memhog" "$HERE/memhog.c" 2>/dev/null; then
    echo "build-payload: no static libc; memhog is linked dynamically" >&2
    $CC $CFLAGS -o "$OUT/bin/memhog" "$HERE/memhog.c"
fi
# shellcheck disable=SC2086
$CC $CFLAGS -o "$OUT/bin/dynprobe" "$HERE/dynprobe.c" -lm
cp "$HERE"/tests/integration/*.sh "$OUT/tests/integration/"
chmod 755 "$OUT"/tests/integration/*.sh
echo "build-payload: payload in $OUT: $(cd "$OUT" && find bin tests -type f | sort | tr '\n' ' ')"
