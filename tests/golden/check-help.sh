#!/bin/bash
# SPDX-License-Identifier: ISC
#
# -h and --help on acctctl and on every command it lists: exit 0, the same
# text as `acctctl help CMD`, and every spelling of every option the
# command's spec declares (the struct cmd_opt tables in cli/, read here
# from the sources) is in the help and is accepted by the parser (CMD
# SPELLING [VALUE] --help still exits 0; an unknown option would exit 2).
set -u
src=${ACCT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
acctctl=${ACCTCTL:-$src/cli/acctctl}
[ -x "$acctctl" ] || { echo "SKIP: $acctctl is not built"; exit 77; }
export ACCTCTL_SOCKET=/nonexistent/accountd.sock	# nothing reaches a daemon
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }

for h in -h --help; do
	out=$("$acctctl" $h 2>&1); rc=$?
	[ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q '^usage: acctctl' &&
	    ok "acctctl $h" || bad "acctctl $h exited $rc: $out"
done

# a command's spec: the cmd_opt table of the file defining its entry
spec_of() {	# CMD -> lines "SPELLINGS|VALUE" (VALUE empty for a flag)
	local f
	f=$(grep -l "^const struct cmd_entry cmd_$1_entry" "$src"/cli/cmd-*.c)
	[ "$1" = graph ] && f=$src/cli/graph-opts.c
	[ -n "$f" ] || return 1
	sed -n '/^[a-z ]*const struct cmd_opt [a-z_]*\[\] = {/,/^};/p' "$f" |
	    sed -n 's/^	{ "\([^"]*\)", \(NULL\|"\([^"]*\)"\),.*/\1|\3/p'
	# json_opts: -j alone
	if grep -q "json_opts" "$f"; then echo "-j|"; fi
}

cmds=$("$acctctl" help | sed -n 's/^  \([a-z]*\)  .*/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 18 ] || bad "acctctl help lists only: $cmds"
for c in $cmds; do
	want=$("$acctctl" help "$c"); rc=$?
	[ "$rc" = 0 ] || bad "acctctl help $c exited $rc"
	for h in -h --help; do
		out=$("$acctctl" "$c" $h 2>&1); rc=$?
		if [ "$rc" != 0 ] || [ "$out" != "$want" ]; then
			bad "acctctl $c $h exited $rc or differs from acctctl help $c: $out"
			continue
		fi
		ok "acctctl $c $h"
	done
	spec=$(spec_of "$c") || { bad "no spec found for $c"; continue; }
	while IFS='|' read -r names value; do
		[ -n "$names" ] || continue
		for s in $names; do
			grep -Eq -- "(^  |, )$s( |,|\$)" <<< "$want" ||
			    bad "acctctl $c --help lacks $s"
			args=("$s"); [ -n "$value" ] && args+=(x)
			out=$("$acctctl" "$c" "${args[@]}" --help 2>&1) ||
			    bad "acctctl $c $s${value:+ x} --help refused: $out"
		done
		ok "acctctl $c: ${names// /, } in the help and accepted"
	done <<< "$spec"
done
# a parameter command names the parameters in its help
for c in set create plan; do
	"$acctctl" "$c" --ram 1G --help | grep -q -- '--PARAM VALUE' &&
	    ok "$c takes --PARAM VALUE" || bad "$c --help lacks --PARAM"
done
echo "1..$n"
exit $fail
