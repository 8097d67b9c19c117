#!/bin/bash
# `acctctl destroy` removes the container's cgroup and moves its settings
# file (CTID.conf) aside off the event loop: while the disk holding
# ct_conf_dir stalls, accountd still answers every other request, the
# destroy is answered once both are done, and requests naming the
# container are refused meanwhile.  The stall is real: ct_conf_dir is on
# an ext4 image of the test's own, loop-mounted and frozen (fsfreeze), so
# that the rename waits.  Also: a cgroup the kernel will not remove (a
# child cgroup in it: EBUSY) fails the destroy with the kernel's error and
# leaves the container as it was: listed, running, its file in place and
# its limits in force; a destroy whose client went away is still made.
. "$(dirname "$0")/lib.sh"
require_cgroups
freezable_fs
start_daemon -o ct_conf_dir="$MNT/ct"

listed() { actl list -a -H -o ctid | grep -qx "$1"; }
running() { actl list -H -o ctid | grep -qx "$1"; }
timed() { timeout 5 "$ACCTCTL" "$@"; }

actl create d1 --ram 128M > /dev/null || fail "create d1"
actl create d2 --ram 96M --numproc 50 > /dev/null || fail "create d2"
[ -f "$MNT/ct/d1.conf" ] || fail "d1.conf not written"

# the disk stalls: the destroy waits for it, nothing else does
fsfreeze --freeze "$MNT" || fail "fsfreeze --freeze $MNT"
actl destroy d1 > "$TDIR/d1.out" 2>&1 &
c1=$!
BGPIDS+=("$c1")
sleep 0.5
kill -0 "$c1" 2> /dev/null ||
    fail "destroy d1 answered while its file could not be moved: $(cat "$TDIR/d1.out")"
timed status > /dev/null || fail "status not answered while a destroy waits"
timed list > "$TDIR/list" || fail "list not answered while a destroy waits"
grep -qw d2 "$TDIR/list" || fail "d2 missing from the list"
timed set d2 --cpuunits 500 > /dev/null ||
    fail "set not answered while a destroy waits"
out=$(timed show d1 2>&1) && fail "show d1 answered while d1 is destroyed: $out"
echo "$out" | grep -q 'd1 is being destroyed' || fail "show d1 while destroyed: $out"
out=$(timed destroy d1 2>&1) && fail "a second destroy of d1 was accepted"
echo "$out" | grep -q 'd1 is being destroyed' || fail "second destroy of d1: $out"
pass "while the disk stalls, status, list and set are answered; destroy d1 waits; a request naming d1: $out"

fsfreeze --unfreeze "$MNT" || fail "fsfreeze --unfreeze"
wait "$c1" || fail "destroy d1 failed once the disk was back: $(cat "$TDIR/d1.out")"
listed d1 && fail "d1 still listed after its destroy was answered"
[ -e "$MNT/ct/d1.conf" ] && fail "d1.conf still there"
[ -f "$MNT/ct/d1.conf.destroyed" ] || fail "d1.conf not moved to d1.conf.destroyed"
[ -d "$(cgdir memory "$(ctcg d1)")" ] && fail "d1's cgroup left after its destroy"
sleep 2	# a rescan (rescan_interval=1) finds nothing to start
listed d1 && fail "d1 back after a rescan"
pass "the disk back: d1 destroyed, its cgroup removed, its file moved aside"

# a cgroup the kernel keeps (a child in it): nothing is undone
child=$(cgdir memory "$(ctcg d2)")/held
mkdir "$child" || fail "mkdir $child"
out=$(actl destroy d2 2>&1) && fail "destroy d2 accepted with a child cgroup"
rmdir "$child"
echo "$out" | grep -q 'cannot remove cgroup .*d2' || fail "destroy d2: $out"
running d2 || fail "d2 not running after its destroy failed"
[ -f "$MNT/ct/d2.conf" ] || fail "d2.conf moved though its destroy failed"
for c in cpu pids memory; do
	[ -d "$(cgdir $c "$(ctcg d2)")" ] ||
	    fail "d2's $c cgroup gone after its destroy failed"
done
[ "$(mem_limit "$(ctcg d2)")" = $((96 << 20)) ] ||
    fail "d2's memory limit not in the kernel after its destroy failed: $(mem_limit "$(ctcg d2)")"
# v1: the hierarchies removed before memory's refusal are made again
[ "$(knob d2 pids pids.max pids.max)" = 50 ] ||
    fail "d2's numproc limit not in the kernel after its destroy failed: $(knob d2 pids pids.max pids.max)"
actl set d2 --ram 64M > /dev/null || fail "set d2 after its destroy failed"
[ "$(mem_limit "$(ctcg d2)")" = $((64 << 20)) ] ||
    fail "set d2 --ram 64M not in the kernel: $(mem_limit "$(ctcg d2)")"
pass "a child cgroup in d2: the destroy fails ($out); d2 runs on, its file and limits in place"

# the client goes away while its destroy waits: the destroy is made
fsfreeze --freeze "$MNT" || fail "fsfreeze --freeze"
actl destroy d2 > /dev/null 2>&1 &
c2=$!
sleep 0.3
kill -KILL "$c2"
wait "$c2" 2> /dev/null
timed status > /dev/null || fail "status after a client went away"
fsfreeze --unfreeze "$MNT"
wait_for 5 eval '! listed d2' || fail "d2 not destroyed after its client went away"
[ -f "$MNT/ct/d2.conf.destroyed" ] || fail "d2.conf not moved aside"
pass "a destroy whose client went away is still made"
