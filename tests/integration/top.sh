#!/bin/bash
# acctctl top -b: plain frames from the snapshot.  Two containers: "burn"
# spins a CPU, 101 is at numproc=3 and has forks refused after top
# started (two processes held, the forker the third).  Sorted by CPU, burn is first with most of a CPU; 101 shows
# the numproc failures that grew since start (+N numproc, marked "!"),
# none in the first frame; -n stops after N frames; bad options exit 2.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon -o sample_interval=250

actl create burn || fail "create burn"
actl create 101 --numproc 3 || fail "create 101"
bg_in burn "$HELPERS/cpuburn" 15
bg_in 101 sleep 15
bg_in 101 sleep 15
wait_for 5 sh -c "\"$ACCTCTL\" ubc 101 | grep -q 'numproc *2 '" ||
    fail "101 does not hold its two processes: $(actl ubc 101)"

out=$TDIR/top.out
actl top -b -n 4 -d 1 > "$out" 2> "$TDIR/top.err" &
TOP=$!
BGPIDS+=("$TOP")
# the failures must come after the frame that made the baseline
wait_for 5 grep -q '^101 ' "$out" || fail "no frame with 101: $(cat "$TDIR/top.err")"
forked=$(actl exec 101 -- "$HELPERS/forker" 5)
note "forker 5 in 101 (numproc=3): $forked"
wait "$TOP" || fail "top -b -n 4 exited $?: $(cat "$TDIR/top.err")"
sed 's/^/# /' "$out"

frames=$(grep -c '^acctctl top - ' "$out")
[ "$frames" = 4 ] || fail "-n 4 printed $frames frames"
pass "-b -n 4: four frames, then exit 0"

# the last frame: its rows after the NAME heading
last=$(awk '/^acctctl top - / { f = "" } { f = f $0 "\n" } END { printf "%s", f }' "$out")
first_row=$(echo "$last" | awk 'h && NF { print; exit } /^NAME / { h = 1 }')
[ "$(echo "$first_row" | awk '{ print $1 }')" = burn ] ||
    fail "sorted by CPU, the first row is not burn: $first_row"
# the machine may be busy (2 CPUs shared): a spinning process gets a
# share, the sleeping container next to nothing
cpu=$(echo "$first_row" | awk '{ print int($2) }')
cpu101=$(echo "$last" | awk '$1 == "101" { print int($2) }')
[ "$cpu" -ge 5 ] && [ "$cpu" -gt "$cpu101" ] ||
    fail "burn shows $cpu% CPU, 101 $cpu101%: expected burn at 5% or more, above 101"
pass "sorted by CPU, the burner is first ($cpu%)"

row101=$(echo "$last" | awk '$1 == "101"')
echo "$row101" | grep -Eq '\+[0-9]+ numproc !$' ||
    fail "101's numproc failures since start are not shown: $row101"
grew=$(echo "$row101" | sed -E 's/.*\+([0-9]+) numproc !$/\1/')
[ "$grew" -ge 3 ] || fail "101 shows +$grew numproc failures, forker saw: $forked"
echo "$row101" | awk '{ exit !($7 == 2 && $8 == 3) }' ||
    fail "101's PROCS/NPROC are not 2/3: $row101"
first101=$(grep -m1 '^101 ' "$out")
echo "$first101" | grep -q ' -$' || fail "the first frame shows failures already: $first101"
pass "101: +$grew numproc failures since start, marked; none in the first frame"

actl top -b -n 1 -o name > "$TDIR/byname" || fail "top -o name"
order=$(awk 'h && NF { printf "%s ", $1 } /^NAME / { h = 1 }' "$TDIR/byname")
[ "$order" = "101 burn " ] || fail "-o name order: $order"
pass "-o name sorts by name"

for bad in "-d 0" "-d x" "-n 0" "-o ram" "-x"; do
	# shellcheck disable=SC2086
	msg=$(actl top -b $bad 2>&1); rc=$?
	[ $rc = 2 ] || fail "top $bad: exit $rc, expected 2 ($msg)"
done
actl top < /dev/null > "$TDIR/notty" 2>&1; rc=$?
msg=$(cat "$TDIR/notty")
[ "$rc" = 2 ] && echo "$msg" | grep -q "not a terminal" ||
    fail "top without a terminal: exit $rc: $msg"
msg=$(actl top -b -n 1 --snapshot "$TDIR/none" 2>&1); rc=$?
[ $rc = 5 ] || fail "top on a missing snapshot: exit $rc: $msg"
pass "bad -d/-n/-o, no terminal: exit 2; no snapshot: exit 5 ($msg)"
