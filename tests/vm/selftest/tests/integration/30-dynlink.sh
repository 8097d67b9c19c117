#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# (c) a dynamically linked program built on the host runs in the guest: its libraries
#     (libc, libm, the loader) were resolved with ldd and copied into the initramfs
set -euo pipefail
# shellcheck source=lib-selftest.sh
. "$(dirname "$0")/lib-selftest.sh"
need_vm
P=${ACCT_BIN:?}/dynprobe
[ -x "$P" ] || fail "no $P"
grep -q /lib64/ld-linux-x86-64.so.2 "$P" || fail "$P has no ELF interpreter: not dynamically linked?"
echo "bash $BASH_VERSION (itself dynamically linked) runs"
command -v dynprobe >/dev/null || fail "dynprobe is not on PATH ($PATH)"
out=$(dynprobe) || { echo "$out"; fail "dynprobe failed"; }
echo "$out"
grep -q '^dynprobe: OK$' <<<"$out" || fail "dynprobe did not say OK"
