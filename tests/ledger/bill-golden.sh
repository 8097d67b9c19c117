#!/bin/bash
# acctctl bill on a fixture ledger (tests/ledger/fixture.sql, with the
# bill worked out by hand in its comment) against checked-in outputs: CSV,
# JSON, and the raw records of a destroyed container as JSON lines.  Bad
# input gets one line naming what was wrong and what is accepted, exit 2.
# As root, the same bill as nobody from a file it can only read.
#
# Regenerate on purpose: UPDATE_GOLDEN=1 make check TESTS=tests/ledger/bill-golden.sh
. "$(dirname "$0")/lib-ledger.sh"
db=$TDIR/ledger.db
"$FIXTURE" "$db" "$S/tests/ledger/fixture.sql" || fail "fixture"
bill() { "$ACCTCTL" bill --ledger "$db" --from 2026-11-01 --to 2026-12-01 \
    --rates "$S/tests/ledger/rates.conf" "$@"; }

check() {	# GOLDEN COMMAND...
	local g=$1; shift
	"$@" > "$TDIR/out" 2> "$TDIR/err" || fail "$* exited $?: $(cat "$TDIR/err")"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$TDIR/out" "$S/tests/ledger/$g"
		note "updated $g"
	fi
	diff -u "$S/tests/ledger/$g" "$TDIR/out" || fail "$g differs"
	pass "$g"
}
check bill.csv.golden bill -o csv
check bill.json.golden bill -o json
check raw.jsonl.golden bill --raw -o jsonl --ct old
check bill-reserved.csv.golden "$ACCTCTL" bill --ledger "$db" --from 2026-11-01 \
    --to 2026-12-01 --rates "$S/tests/ledger/rates-reserved.conf" -o csv
# (from the bill itself, so a golden regenerated without it is caught)
bill -o csv | grep -q '^old,' ||
    fail "the container destroyed in the period (old) is not billed: $(bill -o csv | cut -d, -f1 | tr '\n' ' ')"
pass "the container destroyed in the period is billed"
# the totals of the hand calculation
grep -q '"total": 0.882000}' "$S/tests/ledger/bill.json.golden" ||
    fail "total is not 0.882"
pass "total 0.882 EUR as worked out by hand"
total=$(awk -F, 'NR > 1 { s += $NF } END { printf "%.6f", s }' "$S/tests/ledger/bill-reserved.csv.golden")
[ "$total" = 0.962000 ] || fail "reserved total $total, not 0.962"
pass "on reserved capacity (cpu_basis, ram_basis max): 0.962 EUR as by hand"

# -j is json; text works
"$ACCTCTL" -j bill --ledger "$db" --from 2026-11-01 --to 2026-12-01 |
    grep -q '"period"' || fail "-j does not give json"
bill | grep -q '^TOTAL .* 0.8820$' || fail "text total"
pass "text and -j"

refused() {	# PATTERN COMMAND...: exit 2 and one line naming the problem
	local pat=$1; shift
	"$@" > /dev/null 2> "$TDIR/err"
	local rc=$?
	[ "$rc" = 2 ] || fail "$* exited $rc, not 2"
	head -1 "$TDIR/err" | grep -q -- "$pat" ||
	    fail "$*: '$(head -1 "$TDIR/err")' does not say '$pat'"
	pass "refused: $(head -1 "$TDIR/err")"
}
refused "bad --from '2026-13-01' (accepted: YYYY-MM-DD" bill --from 2026-13-01
refused "bad --to 'tomorrow' (accepted:" bill --to tomorrow
refused "bad -o 'xml' (accepted: text, csv, json)" bill -o xml
refused "bad -o 'json' (accepted: csv, jsonl with --raw)" bill --raw -o json
refused "empty period" bill --from 2026-12-01 --to 2026-11-01
refused "unknown argument '--frm'" bill --frm 2026-11-01
printf 'cpu_hour = 0.01\ngpu_hour = 1\n' > "$TDIR/bad.conf"
refused "bad.conf:2: unknown key 'gpu_hour' (known: currency, cpu_hour" \
    "$ACCTCTL" bill --ledger "$db" --rates "$TDIR/bad.conf"
printf 'cpu_basis = average\n' > "$TDIR/bad3.conf"
refused "bad cpu_basis 'average' (accepted: usage, limit, max)" \
    "$ACCTCTL" bill --ledger "$db" --rates "$TDIR/bad3.conf"
printf 'ram_basis = peak\n' > "$TDIR/bad2.conf"
refused "bad ram_basis 'peak' (accepted: average, limit, max)" \
    "$ACCTCTL" bill --ledger "$db" --rates "$TDIR/bad2.conf"
"$ACCTCTL" bill --ledger "$TDIR/none.db" > /dev/null 2> "$TDIR/err" &&
    fail "a missing ledger is not an error"
grep -q "cannot read the ledger" "$TDIR/err" || fail "missing: $(cat "$TDIR/err")"
pass "a missing ledger: $(cat "$TDIR/err")"

# an ordinary user who can read the file
if [ "$(id -u)" = 0 ]; then
	command -v runuser > /dev/null ||
	    fail "no runuser(1) to bill as nobody (scripts/deps.sh installs util-linux)"
	id nobody > /dev/null 2>&1 || fail "no user nobody to bill as"
	chmod 755 "$TDIR"
	chmod 644 "$db"
	runuser -u nobody -- "$ACCTCTL" bill --ledger "$db" --from 2026-11-01 \
	    --to 2026-12-01 --rates "$S/tests/ledger/rates.conf" -o csv \
	    > "$TDIR/nobody.csv" 2>&1 || fail "as nobody: $(cat "$TDIR/nobody.csv")"
	diff -u "$S/tests/ledger/bill.csv.golden" "$TDIR/nobody.csv" ||
	    fail "nobody's bill differs"
	[ ! -e "$db-journal" ] && [ ! -e "$db-wal" ] || fail "the reader left files"
	pass "nobody reads the same bill from a file it can only read"
else
	note "not root: the bill as nobody is left to the root run"
fi
exit 0
