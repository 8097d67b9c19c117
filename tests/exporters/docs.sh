#!/bin/bash
# The exporters' man pages say what the programs do: every option of
# accountd-exporter's usage is in accountd-exporter(8), every option of
# pmdaaccountd in pmdaaccountd(1), and both pages lint clean with mandoc
# (skipped where mandoc is missing).  Pure; no root.
. "$(dirname "$0")/lib-exp.sh"
docs=$SRC/docs
for opt in $("$EXPORTER" -h 2>&1 | sed -n 's/^  -\([a-zA-Z]\) .*/\1/p'); do
	grep -Eq "^\.It Fl $opt( |\$)" "$docs/accountd-exporter.8" ||
	    fail "accountd-exporter -$opt is not in accountd-exporter.8"
done
for opt in d l U s N H; do
	"$PMDA" -h 2>&1 | grep -q -- "-$opt" || fail "pmdaaccountd has no -$opt"
	grep -Eq "^\.It Fl $opt( |\$)" "$docs/pmdaaccountd.1" ||
	    fail "pmdaaccountd -$opt is not in pmdaaccountd.1"
done
pass "options documented"
command -v mandoc > /dev/null || skip "mandoc is not installed (the options are documented)"
out=$(cd "$docs" && mandoc -T lint -W warning accountd-exporter.8 pmdaaccountd.1 2>&1) ||
    fail "mandoc lint: $out"
[ -z "$out" ] || fail "mandoc lint: $out"
pass "accountd-exporter.8 and pmdaaccountd.1 lint clean"
