#!/bin/bash
# check-skips.sh [--list FILE] [--vm RESULTS_DIR] [BUILDDIR ...]
#
# No silent skips: every test that skipped in the given builds (their
# test-suite.log) or in the VM stage (RESULTS_DIR/*/vm-results.tap) must be
# on the list of expected skips (tests/expected-skips.txt: "STAGE TEST WHY;
# WHERE IT RUNS INSTEAD").  A build configured with --enable-sanitizers
# (SAN_CFLAGS in its Makefile) is judged as stage "asan": its skips may
# be on a "host" line (both builds) or an "asan" line (that build only).
# test-suite.log names a script test without its .sh, the list with it.
# Prints each skip with its reason and whether it
# was expected; exits 1 if one was not.  Reads only files the test harness
# wrote, so tests added later are covered without naming them here.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
list=$here/tests/expected-skips.txt
vm=
builds=()
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=$2; shift ;;
	--vm) vm=$2; shift ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "check-skips: unknown option '$1' (accepted: --list FILE, --vm DIR)" >&2; exit 2 ;;
	*) builds+=("$1") ;;
	esac
	shift
done
[ -r "$list" ] || { echo "check-skips: cannot read $list" >&2; exit 2; }

unexpected=0 expected=0
judge() {	# STAGE TEST-PATH REASON
	local name=${2##*/} where
	where=$(awk -v s="$1" -v t="$name" '($1 == s || (s == "asan" &&
	    $1 == "host")) && ($2 == t || $2 == t ".sh") {
	    $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' "$list")
	if [ -n "$where" ]; then
		echo "expected skip ($1): $2: $3 [$where]"
		expected=$((expected + 1))
	else
		echo "UNEXPECTED SKIP ($1): $2: $3 (not in ${list#"$here"/})"
		unexpected=$((unexpected + 1))
	fi
}

for b in "${builds[@]}"; do
	log=$b/test-suite.log
	[ -f "$log" ] || { echo "check-skips: no $log (was the suite run?)" >&2; exit 2; }
	stage=host
	grep -q '^SAN_CFLAGS = .*-fsanitize' "$b/Makefile" 2> /dev/null && stage=asan
	# a test's block: "SKIP: PATH" over a line of '=', then its .log
	while IFS=$'\t' read -r t reason; do
		judge "$stage" "$t" "$reason"
	done < <(awk '
	    { line[NR] = $0 }
	    END {
		for (i = 2; i <= NR; i++) {
			if (line[i] !~ /^=+$/ || line[i - 1] !~ /^[A-Z]+: /)
				continue
			if (t != "") print t "\t" (r == "" ? "exit status 77" : r)
			t = ""; r = ""
			if (line[i - 1] ~ /^SKIP: /) t = substr(line[i - 1], 7)
			for (k = i + 1; t != "" && r == "" && k <= NR; k++) {
				if (line[k + 1] ~ /^=+$/) break	# the next block
				if (line[k] ~ /^SKIP: /) r = substr(line[k], 7)
				else if (line[k] ~ /# SKIP /)
					r = substr(line[k], index(line[k], "# SKIP ") + 7)
			}
		}
		if (t != "") print t "\t" (r == "" ? "exit status 77" : r)
	    }' "$log")
	# skipped results inside TAP tests (not in the blocks above)
	n=$(awk '/^# SKIP:/ { print $3 }' "$log")
	blocks=$(awk 'prev ~ /^SKIP: / && /^=+$/ { n++ } { prev = $0 } END { print n + 0 }' "$log")
	if [ "${n:-0}" -gt "$blocks" ]; then
		while IFS= read -r trs; do
			grep -h '^:test-result: SKIP' "$trs" | while IFS= read -r r; do
				echo "${trs%.trs}	${r#:test-result: SKIP }"
			done
		done < <(grep -l '^:test-result: SKIP' -r --include='*.trs' "$b" 2> /dev/null) |
		    while IFS=$'\t' read -r t reason; do
			grep -q "^:global-test-result: SKIP" "$t.trs" || echo "$t	$reason"
		    done > "${TMPDIR:-/tmp}/check-skips.$$"
		while IFS=$'\t' read -r t reason; do
			judge "$stage" "${t#"$b"/}" "$reason"
		done < "${TMPDIR:-/tmp}/check-skips.$$"
		rm -f "${TMPDIR:-/tmp}/check-skips.$$"
	fi
done

if [ -n "$vm" ]; then
	for tap in "$vm"/*/vm-results.tap; do
		[ -f "$tap" ] || continue
		while IFS=$'\t' read -r t reason; do
			judge vm "$t" "$reason"
		done < <(sed -n 's/^ok [0-9]* - \([^ ]*\) # SKIP *\(.*\)$/\1\t\2/p' "$tap")
	done
fi

echo "check-skips: $expected expected, $unexpected unexpected"
[ "$unexpected" = 0 ]
