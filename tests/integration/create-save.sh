#!/bin/bash
# `acctctl create` makes the cgroup and saves the container's settings
# file (CTID.conf) off the event loop: while the disk holding ct_conf_dir
# stalls, accountd still answers every other request, the create is
# answered once its file is on disk, and nothing is half made.  The stall
# is real: ct_conf_dir is on an ext4 image of the test's own, loop-mounted
# and frozen (fsfreeze --freeze/--unfreeze: util-linux's and the VM's
# BusyBox's), so that every write to it waits.  Also: a second create of
# the same name while the first is saved is refused; a file that cannot
# be written, or a cgroup that cannot be made (v2), leaves no container,
# no file and no cgroup; a create whose client went away, or that
# accountd's stop overtakes, still ends with its container.
. "$(dirname "$0")/lib.sh"
require_cgroups
freezable_fs
start_daemon -o ct_conf_dir="$MNT/ct"

listed() { actl list -a -H -o ctid | grep -qx "$1"; }
timed() { timeout 5 "$ACCTCTL" "$@"; }

actl create a1 --ram 128M > /dev/null || fail "create a1"
grep -q '^PHYSPAGES=' "$MNT/ct/a1.conf" || fail "a1.conf not written"

# the disk stalls: the create waits for it, nothing else does
fsfreeze --freeze "$MNT" || fail "fsfreeze --freeze $MNT"
actl create a2 --ram 96M > "$TDIR/a2.out" 2>&1 &
c2=$!
BGPIDS+=("$c2")
sleep 0.5
kill -0 "$c2" 2> /dev/null || fail "create a2 answered while its file could not be written: $(cat "$TDIR/a2.out")"
timed status > /dev/null || fail "status not answered while a create's file is written"
timed list > "$TDIR/list" || fail "list not answered while a create's file is written"
grep -qw a1 "$TDIR/list" || fail "a1 missing from the list"
grep -qw a2 "$TDIR/list" && fail "a2 listed before its create was answered"
timed set a1 --cpuunits 500 > /dev/null ||
    fail "set not answered while a create's file is written"
out=$(timed create a2 --ram 64M 2>&1) &&
    fail "a second create of a2 was accepted while the first is saved"
echo "$out" | grep -q 'a2 is being created' || fail "second create of a2: $out"
pass "while the disk stalls, status, list and set are answered; create a2 waits; a second create of a2: $out"

fsfreeze --unfreeze "$MNT" || fail "fsfreeze --unfreeze"
wait "$c2" || fail "create a2 failed once the disk was back: $(cat "$TDIR/a2.out")"
listed a2 || fail "a2 not listed after its create was answered"
grep -q '^PHYSPAGES=' "$MNT/ct/a2.conf" || fail "a2.conf not written"
[ "$(mem_limit "$(ctcg a2)")" = $((96 << 20)) ] || fail "a2's memory limit not set by the kernel: $(mem_limit "$(ctcg a2)")"
pass "the disk back: a2 created, its file saved and its 96 MiB limit in the kernel"

# a file that cannot be written: nothing is left
mkdir "$MNT/ct/a3.conf.tmp"
out=$(actl create a3 --ram 64M 2>&1) && fail "create a3 accepted with an unwritable file"
echo "$out" | grep -q 'cannot save .*a3.conf' || fail "create a3: $out"
listed a3 && fail "a3 listed after its create failed"
[ -d "$(cgdir memory "$(ctcg a3)")" ] && fail "a3's cgroup left after its create failed"
rmdir "$MNT/ct/a3.conf.tmp"
pass "an unwritable file: the create fails ($out), no container and no cgroup"

# a cgroup that cannot be made (v2: the parent's cgroup.max.descendants
# reached): the error, no container, no file
if cg_is_v2; then
	pd=$CGROUP_ROOT/$PARENT
	n=$(sed -n 's/^nr_descendants //p' "$pd/cgroup.stat")
	echo "$n" > "$pd/cgroup.max.descendants" || fail "cgroup.max.descendants"
	out=$(actl create a6 2>&1) && fail "create a6 accepted with no room for its cgroup"
	echo max > "$pd/cgroup.max.descendants"
	echo "$out" | grep -q 'cannot create cgroup' || fail "create a6: $out"
	listed a6 && fail "a6 listed after its create failed"
	[ -e "$MNT/ct/a6.conf" ] && fail "a6.conf written though its cgroup was not made"
	[ -d "$pd/a6" ] && fail "a6's cgroup left after its create failed"
	pass "a cgroup that cannot be made: the create fails ($out), no container, no file"
else
	note "v1 has no cgroup.max.descendants: the VM checks a failed mkdir"
fi

# the client goes away while its create is saved: the create ends
fsfreeze --freeze "$MNT" || fail "fsfreeze --freeze"
actl create a4 > /dev/null 2>&1 &
c4=$!
sleep 0.3
kill -KILL "$c4"
wait "$c4" 2> /dev/null
timed status > /dev/null || fail "status after a client went away"
fsfreeze --unfreeze "$MNT"
wait_for 5 listed a4 || fail "a4 not created after its client went away"
pass "a create whose client went away is still made"

# accountd stops while a create is saved: the file is written first
fsfreeze --freeze "$MNT" || fail "fsfreeze --freeze"
actl create a5 > /dev/null 2>&1 &
BGPIDS+=("$!")
sleep 0.3
kill -TERM "$DPID"
sleep 0.5
kill -0 "$DPID" 2> /dev/null || fail "accountd stopped before a create's file was written"
fsfreeze --unfreeze "$MNT"
wait "$DPID" 2> /dev/null
DPID=
[ -f "$MNT/ct/a5.conf" ] || fail "a5.conf not written by accountd's stop"
start_daemon -o ct_conf_dir="$MNT/ct"
listed a5 || fail "a5 not there after a restart"
pass "a stop waits for a create's file: a5 is there after a restart"
