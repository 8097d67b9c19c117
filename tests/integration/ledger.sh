#!/bin/bash
# The billing ledger under accountd (ledger = yes, a 2 s interval): the
# writer runs as nobody without capabilities; a container burning CPU
# gets records with its CPU time and the limits in force; an ordinary
# user bills from the file; kill -9 of the writer -> started again, its
# death logged; acctctl status and bill --status show it; after kill -9
# of accountd and its restart the ledger's CPU time equals the cgroup's
# own counter (nothing lost, nothing twice); a destroyed container is
# still billed; accountd's stop stops the writer.
. "$(dirname "$0")/lib.sh"
require_cgroups
LEDGER_BIN=${ACCT_LEDGER:-${ACCT_BIN:-.}/accountd-ledger}
[ -x "$LEDGER_BIN" ] || skip "no accountd-ledger at $LEDGER_BIN"
id nobody > /dev/null 2>&1 || skip "no user nobody to run the writer as"
prepare_tdir
chmod 755 "$TDIR"	# the writer (nobody) reaches its folder and the snapshot
db=$TDIR/ledger/ledger.db
export ACCTCTL_LEDGER=$db
# an empty folder of root's, as systemd's StateDirectory= makes it: handed
# over to the writer's user
mkdir "$TDIR/ledger"
start_daemon -o ledger=yes -o ledger_program="$LEDGER_BIN" \
    -o ledger_path="$db" -o ledger_interval=2 -o ledger_user=nobody

ledger_pid() {	# the writer child of accountd, from /proc (no pgrep in the VM)
	local f
	for f in /proc/[0-9]*/status; do
		grep -q "^PPid:[[:space:]]*$DPID\$" "$f" 2> /dev/null &&
		    grep -q '^Name:[[:space:]]*accountd-ledger' "$f" 2> /dev/null &&
		    { f=${f%/status}; echo "${f#/proc/}"; return; }
	done
}
wait_for 5 test -n "$(ledger_pid)" || fail "no ledger child of accountd"
lp=$(ledger_pid)
[ "$(stat -c %U "/proc/$lp")" = nobody ] || fail "the writer runs as $(stat -c %U "/proc/$lp")"
grep -q '^CapEff:[[:space:]]*0*$' "/proc/$lp/status" || fail "the writer has capabilities"
[ "$(stat -c %U "$TDIR/ledger")" = nobody ] || fail "the ledger folder is $(stat -c %U "$TDIR/ledger")'s"
pass "accountd-ledger pid $lp runs as nobody without capabilities, in its own folder"

# after accountd's first sampling round: a container already there at that
# round is taken as found at accountd's start (docs/billing.md)
sleep 1.5
actl create 801 --ram 64M --cpulimit 50 > /dev/null || fail "create"
bg_in 801 "$HELPERS/cpuburn" 9
burner=$BGPID
cpu801() { actl bill --raw --from 2000-01-01 --to 2100-01-01 --ct 801 |
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu_usec") c = i; next }
        { s += $c } END { print s + 0 }'; }
wait_for 10 sh -c "[ \$(\"$ACCTCTL\" bill --raw --from 2000-01-01 --to 2100-01-01 --ct 801 | wc -l) -ge 3 ]" ||
    fail "no records for 801: $(actl bill --raw --from 2000-01-01 --to 2100-01-01 2>&1 | head -5)"
c1=$(cpu801)
[ "$c1" -gt 0 ] || fail "no CPU time recorded"
raw=$(actl bill --raw -o jsonl --from 2000-01-01 --to 2100-01-01 --ct 801 | tail -1)
echo "$raw" | grep -q '"ram_limit": 67108864' || fail "ram limit not recorded: $raw"
echo "$raw" | grep -q '"cpulimit": 50' || fail "cpulimit not recorded: $raw"
pass "records of 801: $c1 us of CPU, the limits in force (64M, 50%)"

# as nobody: runuser, or where there is none (the VM's busybox) the test
# helper that drops to uid 65534
id nobody > /dev/null 2>&1 || fail "no user nobody to bill as"
if command -v runuser > /dev/null; then
	as_nobody() { runuser -u nobody -- "$@"; }
elif [ -x "$HELPERS/ctlabuse" ] && [ "$(id -u nobody)" = 65534 ]; then
	as_nobody() { "$HELPERS/ctlabuse" exec "$@"; }
else
	fail "no runuser(1) to bill as nobody (scripts/deps.sh installs util-linux)"
fi
{
	as_nobody "$ACCTCTL" bill --ledger "$db" --from 2000-01-01 \
	    --to 2100-01-01 -o csv > "$TDIR/nobody.csv" 2>&1 ||
	    fail "nobody: $(cat "$TDIR/nobody.csv")"
	grep -q '^801,' "$TDIR/nobody.csv" || fail "801 not in nobody's bill"
	pass "an ordinary user bills from the file"
}

actl bill --status > "$TDIR/st" || fail "bill --status: $(cat "$TDIR/st")"
grep -q '^writer state=ok' "$TDIR/st" || fail "status: $(cat "$TDIR/st")"
grep -q "schema 1" "$TDIR/st" || fail "no schema version: $(cat "$TDIR/st")"
actl status | grep -q '^ledger: ok' || fail "acctctl status: $(actl status)"
pass "acctctl status and bill --status: ok"

kill -KILL "$lp"
again() { local p; p=$(ledger_pid); [ -n "$p" ] && [ "$p" != "$lp" ]; }
wait_for 5 again || fail "the writer was not started again"
grep -q "ledger pid $lp killed by signal 9" "$TDIR/daemon.log" || fail "the death is not logged"
pass "killed, started again as pid $(ledger_pid)"
sleep 4
c2=$(cpu801)
[ "$c2" -gt "$c1" ] || fail "no CPU time after the restart ($c2 <= $c1)"
pass "still recording after the restart ($c2 us)"

# accountd killed with SIGKILL (its writer gets SIGTERM and writes what it
# has) and started again: it adopts the running container with a new
# since_ms, which is not a reset: nothing may be counted twice
kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=
start_daemon -o ledger=yes -o ledger_program="$LEDGER_BIN" \
    -o ledger_path="$db" -o ledger_interval=2 -o ledger_user=nobody
wait "$burner" 2> /dev/null
# once the burner is done and a record has been written, the ledger's CPU
# time is the cgroup's own counter: none lost, none counted twice
same() { local a r; a=$(cpu_usage_usec "$(ctcg 801)"); r=$(cpu801)
	note "cgroup $a us, ledger $r us"; [ $((a - r)) -le 20000 ] && [ $((r - a)) -le 20000 ]; }
wait_for 8 same > "$TDIR/same" || { actl bill --raw --from 2000-01-01 --to 2100-01-01 --ct 801 | cut -d, -f3-7 | sed "s/^/# /"; fail "ledger and cgroup differ: $(tail -1 "$TDIR/same")"; }
pass "after kill -9 of the writer and of accountd: $(tail -1 "$TDIR/same" | cut -c3-)"

out=$(actl destroy 801 --force 2>&1) || fail "destroy: $out"
sleep 3
stop_daemon
for f in /proc/[0-9]*/cmdline; do
	tr '\0' ' ' < "$f" 2> /dev/null | grep -q "accountd-ledger.*$db" &&
	    fail "the writer ${f//[^0-9]/} outlived accountd"
done
grep -q '^801,' <(actl bill --from 2000-01-01 --to 2100-01-01 -o csv) ||
    fail "the destroyed container is not billed"
pass "destroyed 801 is still billed; the writer stopped with accountd"
exit 0
