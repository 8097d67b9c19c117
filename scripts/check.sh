#!/bin/bash
# The README's second command, and what CI runs (.ci/run): install what is
# needed, build, and run the whole test suite: unit, golden, fuzz-corpus
# replay, fake-tree and integration tests (as root, on this kernel's real
# cgroups), the same suite again under AddressSanitizer/UBSan, and the VM
# stage on a cgroup v2 kernel, then checks that every test that skipped
# is on tests/expected-skips.txt.  The last line is "N passed, N failed,
# N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
pass=0 fail=0 skip=0
failed_stages=()

count() {	# BUILDDIR: add the counts of its test-suite.log
	local log=$1/test-suite.log p f s e
	[ -f "$log" ] || return
	p=$(awk '/^# PASS:/ { print $3 }' "$log"); f=$(awk '/^# FAIL:/ { print $3 }' "$log")
	s=$(awk '/^# SKIP:/ { print $3 }' "$log"); e=$(awk '/^# ERROR:/ { print $3 }' "$log")
	pass=$((pass + ${p:-0})) fail=$((fail + ${f:-0} + ${e:-0})) skip=$((skip + ${s:-0}))
}

stage() {	# NAME COMMAND...
	local name=$1 t0=$SECONDS; shift
	echo "== $name"
	if "$@"; then echo "== $name: ok ($((SECONDS - t0)) s)"
	else echo "== $name: FAILED ($((SECONDS - t0)) s)"; failed_stages+=("$name"); fi
}

suite() {	# BUILDDIR [configure options]
	local dir=$1; shift
	rm -f "$dir/test-suite.log"
	scripts/build.sh "$dir" "$@" || return 1
	make -C "$dir" -j1 check > "$dir/check.out" 2>&1
	local rc=$?
	grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS|XFAIL):' "$dir/check.out" | grep -v '^PASS' || true
	[ $rc = 0 ] || sed -n '/^=\+$/,$p' "$dir/test-suite.log" | head -150
	count "$dir"
	return $rc
}

stage "dependencies" scripts/deps.sh test
stage "build and test" suite _build
stage "build and test with ASan/UBSan" suite _build-asan --enable-sanitizers
# The VM stage must run here (ACCT_VM_REQUIRE=1: "no qemu" is a failure);
# on a laptop without qemu, run the rest with ACCT_VM_REQUIRE=0.
export ACCT_VM_REQUIRE=${ACCT_VM_REQUIRE:-1}
summary=_build/tests/vm/results/summary.txt
rm -f "$summary" _build/tests/vm/results/*/vm-results.tap
stage "VM stage (cgroup v2 kernel)" make -C _build check-vm
if [ -f "$summary" ]; then
	# one line per swap mode: "check-vm: MODE PASS  N passed  N failed  N skipped"
	read -r p f s < <(awk '/ passed +[0-9]+ failed/ {
	    for (i = 2; i <= NF; i++) {
		if ($i == "passed") p += $(i - 1)
		if ($i == "failed") f += $(i - 1)
		if ($i == "skipped") s += $(i - 1) } }
	    END { print p + 0, f + 0, s + 0 }' "$summary")
	pass=$((pass + ${p:-0})) fail=$((fail + ${f:-0})) skip=$((skip + ${s:-0}))
fi

# no silent skips: every skip above must be on tests/expected-skips.txt,
# which says where that test runs instead
stage "expected skips only (tests/expected-skips.txt)" \
    scripts/check-skips.sh --vm _build/tests/vm/results _build _build-asan

echo "== total time $(( $(date +%s) - start )) s"
[ "${#failed_stages[@]}" = 0 ] || { echo "failed stages: ${failed_stages[*]}"; fail=$((fail > 0 ? fail : 1)); }
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
