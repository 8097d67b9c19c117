#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Golden plan tests: for every shipped sample (policies/samples/ve-*.conf-
# sample) and every input here (tests/golden/inputs/*.conf), the output of
#
#	acctctl plan --config INPUT --cgroup v1|v2
#
# must match tests/golden/NAME.v1.plan / NAME.v2.plan byte for byte.  The
# plan is made offline for the reference kernel (kcaps_canonical()), so the
# result depends on nothing but the input.  An input may come with
# inputs/NAME.args, more acctctl plan options on one line: --vswap-mode
# (the reference host is in VSwap RAM mode) and --v1-limits (the limits a
# container has now, which order the v1 memory writes).  A file holds stdout, then any
# stderr lines prefixed "stderr: ", then "exit: N" when acctctl failed.
#
#	check-plans.sh            compare; print diff -u for each mismatch
#	check-plans.sh --update   rewrite the expected files (make update-golden)
#
# Exit codes (automake): 0 pass, 77 skip, 1 fail.

set -u
export LC_ALL=C

update=false
[ "${1:-}" = --update ] && update=true

if [ -z "${ACCT_SRCDIR:-}" ] || [ -z "${ACCTCTL:-}" ]; then
	echo "SKIP: ACCT_SRCDIR and ACCTCTL must be set (run by make check)"
	exit 77
fi
if [ ! -x "$ACCTCTL" ]; then
	echo "SKIP: acctctl is not built ($ACCTCTL)"
	exit 77
fi

golden=$ACCT_SRCDIR/tests/golden
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acct-golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Run acctctl in the input's directory with a relative path, so messages
# that name the file do not depend on where the source tree is.
run_plan() {	# dir file version out
	local rc args=()
	[ -e "$1/${2%.conf}.args" ] && read -r -a args < "$1/${2%.conf}.args"
	(cd "$1" && "$ACCTCTL" plan --config "$2" --cgroup "$3" "${args[@]}") \
	    >"$4" 2>"$4.err"
	rc=$?
	sed 's/^/stderr: /' "$4.err" >>"$4"
	rm -f "$4.err"
	[ "$rc" -ne 0 ] && echo "exit: $rc" >>"$4"
	return 0
}

fail=0 n=0 stale=0
declare -A wanted=()
for input in "$ACCT_SRCDIR"/policies/samples/ve-*.conf-sample \
    "$golden"/inputs/*.conf; do
	[ -e "$input" ] || continue
	name=$(basename "$input")
	name=${name%.conf-sample}
	name=${name%.conf}
	for v in v1 v2; do
		expected=$golden/$name.$v.plan
		actual=$tmp/$name.$v.plan
		wanted[$name.$v.plan]=1
		n=$((n + 1))
		run_plan "$(dirname "$input")" "$(basename "$input")" "$v" \
		    "$actual"
		if $update; then
			if ! cmp -s "$actual" "$expected"; then
				cp "$actual" "$expected"
				echo "updated: tests/golden/$name.$v.plan"
			fi
			continue
		fi
		if [ ! -e "$expected" ]; then
			echo "FAIL: $name $v: no tests/golden/$name.$v.plan" \
			    "(make update-golden, then review it)"
			fail=$((fail + 1))
		elif ! cmp -s "$expected" "$actual"; then
			echo "FAIL: $name $v: plan differs from" \
			    "tests/golden/$name.$v.plan"
			diff -u "$expected" "$actual" |
			    sed "1s|.*|--- expected/$name.$v.plan|;2s|.*|+++ actual/$name.$v.plan|"
			fail=$((fail + 1))
		else
			echo "ok: $name $v"
		fi
	done
done

# An expected file whose input is gone would never be checked again.
for f in "$golden"/*.plan; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	if [ -z "${wanted[$b]:-}" ]; then
		if $update; then
			rm -f "$f"
			echo "removed: tests/golden/$b (no input)"
		else
			echo "FAIL: tests/golden/$b has no input" \
			    "(make update-golden removes it)"
			stale=$((stale + 1))
		fi
	fi
done

$update && exit 0
if [ "$n" -eq 0 ]; then
	echo "FAIL: no inputs found under $ACCT_SRCDIR"
	exit 1
fi
echo "$((n - fail)) of $n plans match"
[ "$fail" -eq 0 ] && [ "$stale" -eq 0 ]
