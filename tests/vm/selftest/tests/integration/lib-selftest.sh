# shellcheck shell=bash
# lib-selftest.sh: sourced by the self-tests.  Files named lib*.sh beside the tests are
# helper libraries: the VM runner does not run them as tests.
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# kv FILE KEY: the value of KEY in a flat-keyed cgroup file (memory.events, cpu.stat, ...)
kv() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
need_vm() { [ "${ACCT_IN_VM:-0}" = 1 ] || skip "needs the test VM (ACCT_IN_VM=1)"; }
