#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The documentation must say what the code does.  Pure and cheap: it runs
# the built programs' help output and reads the sources' tables, then checks
# that
#   - docs/mapping.md embeds `acctctl help params --markdown` unchanged
#     (regenerate with `make update-mapping`);
#   - acctctl.8 has an entry for every parameter, command, list field and
#     exit status, every option of each command's --help in that command's
#     synopsis, and ctid.conf.5 every CTID.conf key;
#   - accountd.8 has every option of `accountd -h`, and accountd.conf.5
#     every key that `accountd -n` prints and every accepted value of a
#     key with a fixed set (its "# accepted:" line);
#   - exporters.md names every metric family of /metrics (the names in
#     exporters/openmetrics.c) and, where the PCP agent is built, every
#     metric of `pmdaaccountd -N` (its tables may write a.{b,c} and
#     bc.RESOURCE.x).

srcdir=${ACCT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${ACCT_BUILDDIR:-$srcdir}
acctctl=${ACCTCTL:-$builddir/cli/acctctl}
accountd=${ACCOUNTD:-$builddir/accountd/accountd}
docs=$srcdir/docs
fail=0

for p in "$acctctl" "$accountd"; do
	if [ ! -x "$p" ]; then
		echo "SKIP: $p is not built"
		exit 77
	fi
done

missing() {	# what, where
	echo "FAIL: $1 is not documented in $2"
	fail=1
}

# 1. The generated table in mapping.md.
want=$("$acctctl" help params --markdown)
have=$(sed -n '/^<!-- BEGIN generated: acctctl help params --markdown -->$/,/^<!-- END generated -->$/p' \
    "$docs/mapping.md" | sed '1d;$d')
if [ "$want" != "$have" ]; then
	echo "FAIL: the table in docs/mapping.md differs from 'acctctl help params --markdown'"
	echo "      (run 'make update-mapping' and explain the change in mapping.md):"
	diff <(echo "$have") <(echo "$want") | sed 's/^/      /'
	fail=1
fi

# 2. Parameters and CTID.conf keys.
for name in $("$acctctl" help params | sed -n 's/^  --\([a-z_]*\) .*/\1/p'); do
	grep -Eq "^\.It Fl -$name( |\$)" "$docs/acctctl.8" ||
		missing "parameter --$name" acctctl.8
done
for key in $(echo "$want" | awk -F' [|] ' 'NR > 2 && $2 != "(shortcut)" { print $2 }'); do
	grep -Eq "(^|[ \"])$key([ =\"]|\$)" "$docs/ctid.conf.5" ||
		missing "key $key" ctid.conf.5
done

# 3. Commands, list fields, exit codes.
# the command list is the first block after the usage line; a name of 8
# letters (oversell, cpucheck) is followed by one space only
cmds=$("$acctctl" help | awk 'NF == 0 { b++; next } b == 1 && /^  [a-z]/ { print $1 }')
case " $(echo $cmds) " in
*" set "*" help "*) ;;
*)	echo "FAIL: no command list in 'acctctl help' (got: $(echo $cmds))"
	fail=1 ;;
esac
for cmd in $cmds; do
	grep -Eq "^\.(It )?Cm $cmd( |\$)" "$docs/acctctl.8" ||
		missing "command $cmd" acctctl.8
	# every option of its --help (made from the command's spec) is in
	# its synopsis: the lines from ".Cm $cmd" to the next ".Nm"
	syn=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$docs/acctctl.8" |
	    sed -n "/^\.Cm $cmd\$/,/^\.Nm/p")
	for opt in $("$acctctl" "$cmd" --help | awk '/^  -/ {
	    for (i = 1; i <= NF && $i ~ /^-/; i++) { sub(/,$/, "", $i); print $i } }'); do
		case $opt in -h|--help|--PARAM) continue ;; esac
		grep -Eq "(Fl|[|]) ${opt#-}( |\$)" <<< "$syn" ||
			missing "option $opt of $cmd (in its synopsis)" acctctl.8
	done
done
fields=$(sed -n '/builtin\[\] = {/,/};/p' "$srcdir/cli/cmd-list.c" |
    grep -o '"[a-z_]*"' | tr -d '"')
for f in $fields; do
	grep -Eq "^\.It Cm $f\$" "$docs/acctctl.8" ||
		missing "list field $f" acctctl.8
done
for n in $(sed -n 's/^[[:space:]]*EX_[A-Z]* = \([0-9]*\),.*/\1/p' "$srcdir/cli/acctctl.h"); do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$docs/acctctl.8" | grep -Eq "^\.It $n\$" ||
		missing "exit status $n" acctctl.8
done

# 4. accountd options and accountd.conf keys.
for opt in $("$accountd" -h 2>&1 | sed -n 's/^  -\([a-z]\) .*/\1/p'); do
	grep -Eq "^\.It Fl $opt( |\$)" "$docs/accountd.8" ||
		missing "option -$opt" accountd.8
done
for key in $("$accountd" -n -f /dev/null | sed -n 's/^#\{0,1\}\([a-z_]*\) =.*/\1/p'); do
	grep -Eq "^\.It Va $key( |\$)" "$docs/accountd.conf.5" ||
		missing "key $key" accountd.conf.5
done
# a key of a fixed set of values (CK_ENUM, CK_BOOL in accountd/conf.c's
# table; "# accepted: a, b" before it in accountd -n) names each value in
# its entry, the lines from ".It Va KEY" to the next ".It Va"
while IFS=': ' read -r key values; do
	entry=$(sed -n "/^\.It Va $key\( \|\$\)/,/^\.It Va /p" "$docs/accountd.conf.5" |
	    sed '$d')
	for v in ${values//,/ }; do
		grep -Eq "(^|[ \"])(Cm |Li |Dq |Ql )?$v([ ,.;:)\"]|\$)" <<< "$entry" ||
			missing "value '$v' of $key" accountd.conf.5
	done
done < <("$accountd" -n -f /dev/null | awk '/^# accepted: / { acc = substr($0, 13); next }
    acc != "" && /^#?[a-z_]+ =/ { sub(/^#/, ""); print $1 ": " acc; acc = "" }')

# 5. The exporters' metrics in exporters.md.
for f in $(grep -o '"accountd_[a-z_]*"' "$srcdir/exporters/openmetrics.c" |
    tr -d '"' | sort -u); do
	grep -Eq "\`${f}(_total|_info)?\`" "$docs/exporters.md" ||
		missing "metric $f" exporters.md
done
pmda=$builddir/exporters/pcp/pmdaaccountd
if [ -x "$pmda" ]; then
	# the documented names, braces expanded
	pcpdoc=$(grep -o '`accountd\.[][a-zA-Z0-9_.{},]*`' "$docs/exporters.md" |
	    tr -d '`' | while read -r n; do eval "printf '%s\n' $n"; done)
	for m in $("$pmda" -N | awk '/^accountd[.a-z_0-9]* \{$/ { p = $1; next }
	    $2 ~ /^ACCOUNTD:/ { print p "." $1 }' |
	    sed 's/^accountd\.bc\.[a-z]*\./accountd.bc.RESOURCE./' | sort -u); do
		echo "$pcpdoc" | grep -Fxq "$m" || missing "PCP metric $m" exporters.md
	done
fi

[ "$fail" = 0 ] && echo "ok: man pages, mapping.md and exporters.md match the code"
exit "$fail"
