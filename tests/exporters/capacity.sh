#!/bin/bash
# acctctl oversell and cpucheck on a private accountd's containers: the
# figures add up as vzoversell and vzcpucheck would have them, the flags
# say what they should, -j gives the same numbers, and an unprivileged
# user can run both (they read the snapshot, not the control socket).
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
exp_tdir
start_daemon
actl create 101 --ram 256M --swap 128M --cpulimit 150 --cpus 1 > /dev/null || fail "create 101"
actl create 102 --ram 512M --cpuunits 2000 --cpulimit 50 > /dev/null || fail "create 102"
actl create 103 --numproc 5 > /dev/null || fail "create 103"
out=$(actl exec 103 -- "$HELPERS/forker" 10)
note "forker in 103: $out"
wait_for 5 sh -c "'$ACCTCTL' ubc 103 | awk '\$1 == \"numproc\" && \$6 > 0 { f = 1 } END { exit !f }'" ||
    fail "no numproc failcnt in 103"
sleep 1.2	# a sampling round after the fails

actl oversell > "$TDIR/oversell" || fail "oversell"
cat "$TDIR/oversell" | sed 's/^/# /'
row() { awk -v ct="$1" '$1 == ct' "$TDIR/oversell"; }
[ "$(row 101 | awk '{ print $4 }')" = 256M ] || fail "101 RAM limit: $(row 101)"
[ "$(row 101 | awk '{ print $8 }')" = 128M ] || fail "101 swap limit: $(row 101)"
[ "$(row 102 | awk '{ print $4 }')" = 512M ] || fail "102 RAM limit: $(row 102)"
case $(row 103) in *U*F*) ;; *) fail "103 should be flagged U and F: $(row 103)" ;; esac
grep -q '^RAM        available: .*allocated:  768M  oversell: ' "$TDIR/oversell" ||
    fail "RAM allocated is not 768M"
grep -q '^  U: no RAM limit' "$TDIR/oversell" || fail "no U legend"
pass "oversell: 256M + 512M allocated, 103 flagged U (no RAM limit) and F (numproc failcnt)"

j=$(actl -j oversell)
echo "$j" | grep -q '"allocated": 805306368' || fail "JSON RAM allocated: $j"
echo "$j" | grep -q '"unlimited_ram": 1' || fail "JSON unlimited_ram"
pass "oversell -j: allocated 805306368 bytes"

actl cpucheck -v > "$TDIR/cpucheck" || fail "cpucheck"
sed 's/^/# /' "$TDIR/cpucheck"
grep -q '^Current CPU utilization: 4000$' "$TDIR/cpucheck" || fail "cpuunits 1000+2000+1000"
grep -q '^Power of the node: [0-9]' "$TDIR/cpucheck" || fail "no power of the node"
# 101: min(150, 1 CPU x 100) = 100; 102: 50
grep -q '^CPU limits committed: 150% of' "$TDIR/cpucheck" || fail "CPU limits committed"
grep -q '^101.*100%' "$TDIR/cpucheck" || fail "101's limit is not 100% (cpus 1)"
actl -j cpucheck | grep -q '"cpulimit_pct": 150' || fail "cpucheck -j"
pass "cpucheck: 4000 units, CPU limits 150% (101's 150 capped by --cpus 1)"

command -v runuser > /dev/null ||
    fail "no runuser(1) to run oversell as nobody (scripts/deps.sh installs util-linux)"
id nobody > /dev/null 2>&1 || fail "no user nobody to run oversell as"
{
	out=$(runuser -u nobody -- env ACCTCTL_SOCKET="$ACCTCTL_SOCKET" "$ACCTCTL" oversell 2>&1) ||
	    fail "oversell as nobody: $out"
	runuser -u nobody -- env ACCTCTL_SOCKET="$ACCTCTL_SOCKET" "$ACCTCTL" cpucheck > /dev/null ||
	    fail "cpucheck as nobody"
	pass "an unprivileged user runs both"
}
out=$(ACCTCTL_SOCKET=$TDIR/nowhere/accountd.sock actl oversell 2>&1)
rc=$?
[ $rc = 5 ] || fail "no snapshot: exit $rc, expected 5 ($out)"
out2=$(actl oversell --bogus 2>&1)
[ $? = 2 ] || fail "bad argument: not exit 2"
pass "errors: '$out' (5), '${out2%%$'\n'*}' (2)"
