#!/bin/bash
# scripts/check-skips.sh on a test-suite.log and VM results written here:
# a skip on the list passes and is printed with where it runs instead; a
# skip not on the list, on the host or in the VM, fails and is named; the
# shipped list parses (every line STAGE TEST WHY; WHERE).
set -u
src=${ACCT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
chk=$src/scripts/check-skips.sh
T=$(mktemp -d "${TMPDIR:-/tmp}/check-skips.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0; ok() { n=$((n + 1)); echo "ok $n - $*"; }

mkdir -p "$T/b" "$T/vm/disk"
cat > "$T/b/test-suite.log" <<'LOG'
# TOTAL: 4
# PASS:  1
# SKIP:  3

.. contents:: :depth: 2

SKIP: tests/integration/swap.sh
===============================

# kernel 6.1, cgroup v1
SKIP: no swap on this host
SKIP tests/integration/swap.sh (exit status: 77)

SKIP: tests/exporters/new-test.sh
=================================

SKIP: frobnicator is not installed
SKIP tests/exporters/new-test.sh (exit status: 77)

SKIP: tests/fuzz/fuzz-conf
==========================

1..0 # SKIP ACCT_SRCDIR is not set

LOG
printf '%s\n' "host swap.sh no swap; runs in the VM" "vm quota-user.sh project quota there; runs on the host" > "$T/list"
printf '%s\n' "ok 1 - swap.sh" "ok 2 - quota-user.sh # SKIP the tree has project quota" "ok 3 - numproc.sh # SKIP no pids controller" > "$T/vm/disk/vm-results.tap"

out=$(bash "$chk" --list "$T/list" --vm "$T/vm" "$T/b" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
[ $rc = 1 ] || fail "unexpected skips passed (exit $rc)"
echo "$out" | grep -q "^expected skip (host): tests/integration/swap.sh: no swap on this host \[no swap; runs in the VM\]" ||
    fail "the expected host skip is not printed with where it runs"
ok "an expected skip is printed with where it runs instead"
echo "$out" | grep -q "^UNEXPECTED SKIP (host): tests/exporters/new-test.sh: frobnicator is not installed" ||
    fail "a new test's skip is not named"
echo "$out" | grep -q "^UNEXPECTED SKIP (host): tests/fuzz/fuzz-conf: " || fail "a TAP plan skip is not named"
ok "skips not on the list fail, named with their reason"
echo "$out" | grep -q "^expected skip (vm): quota-user.sh" &&
    echo "$out" | grep -q "^UNEXPECTED SKIP (vm): numproc.sh: no pids controller" || fail "VM skips"
echo "$out" | grep -q "check-skips: 2 expected, 3 unexpected" || fail "the counts"
ok "VM skips judged against the vm lines"

printf '%s\n' "host swap.sh x" "host new-test.sh x" "host fuzz-conf x" "vm numproc.sh x" "vm quota-user.sh x" > "$T/list"
bash "$chk" --list "$T/list" --vm "$T/vm" "$T/b" > /dev/null || fail "all listed, still failing"
ok "all listed: passes"

# an ASan build (SAN_CFLAGS in its Makefile) is stage "asan": an "asan"
# line covers its skip there and not in the plain build; "host" lines
# cover both; automake's heading names the script without its .sh
mkdir -p "$T/plain" "$T/asan"
cat > "$T/plain/test-suite.log" <<'LOG'
# SKIP:  1

SKIP: tests/package/deb
=======================

SKIP: ASan build
SKIP tests/package/deb.sh (exit status: 77)

LOG
cp "$T/plain/test-suite.log" "$T/asan/test-suite.log"
echo "SAN_CFLAGS = -fsanitize=address,undefined" > "$T/asan/Makefile"
echo "SAN_CFLAGS = " > "$T/plain/Makefile"
printf '%s\n' "asan deb.sh ASan build; runs in the plain build" > "$T/list"
bash "$chk" --list "$T/list" "$T/asan" > /dev/null || fail "an asan line does not cover the ASan build's skip"
out=$(bash "$chk" --list "$T/list" "$T/plain" 2>&1) &&
    fail "an asan line covers the plain build's skip"
echo "$out" | grep -q "^UNEXPECTED SKIP (host): tests/package/deb: ASan build" || fail "the plain build's skip: $out"
printf '%s\n' "host deb.sh x" > "$T/list"
bash "$chk" --list "$T/list" "$T/asan" > /dev/null || fail "a host line does not cover the ASan build"
ok "asan lines cover the ASan build only; host lines both builds"

# the shipped list: STAGE is host, asan or vm, and each says where it runs instead
bad=$(awk '!/^#/ && NF && ($1 != "host" && $1 != "asan" && $1 != "vm" || NF < 4 || $0 !~ /; /)' "$src/tests/expected-skips.txt")
[ -z "$bad" ] || fail "malformed lines in tests/expected-skips.txt: $bad"
ok "tests/expected-skips.txt: every line is STAGE TEST WHY; WHERE"
echo "1..$n"
