#!/bin/bash
# A cgroup made or removed beside many containers is checked alone:
# inotify names the folder, and accountd looks at the containers there,
# not at every one (with a thousand containers coming and going, a stat
# of every cgroup at each birth was most of accountd's work and kept
# requests waiting: bench/soak.sh).  The container whose cgroup its
# runtime removes and makes again is still seen to stop and to start,
# with no periodic rescan to catch what inotify missed.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon -v -o rescan_interval=0

N=30
for i in $(seq 1 $N); do
	actl create "w$i" --numproc 50 > /dev/null || fail "create w$i"
done
rt="$PARENT/runtime/web1"
mkcg() {	# the "runtime" makes the container's cgroups
	if cg_is_v2; then
		echo "+memory +cpu +pids" > "$CGROUP_ROOT/$PARENT/cgroup.subtree_control"
		mkdir -p "$CGROUP_ROOT/$PARENT/runtime"
		echo "+memory +cpu +pids" > "$CGROUP_ROOT/$PARENT/runtime/cgroup.subtree_control"
		mkdir -p "$CGROUP_ROOT/$rt"
	else
		for c in memory cpu cpuacct pids; do mkdir -p "$CGROUP_ROOT/$c/$rt"; done
	fi
}
rmcg() {
	if cg_is_v2; then rmdir "$CGROUP_ROOT/$rt"
	else for c in memory cpu cpuacct pids; do rmdir "$CGROUP_ROOT/$c/$rt"; done; fi
}
mkcg
actl create web1 --cgroup "/$rt" --ram 128M > /dev/null || fail "adopt web1"
total=$((N + 1))
[ "$(actl list -H -o ctid | wc -l)" -eq "$total" ] || fail "$total containers"
sleep 0.5		# the births' own checks are done
mark=$(wc -l < "$TDIR/daemon.log")
since() { tail -n +"$((mark + 1))" "$TDIR/daemon.log"; }
checks_ok() {	# every check since the mark looked at $1 containers at most
	local bad
	since | grep -q 'check of all' && fail "a check of every container: $(since | grep 'check of all' | head -1)"
	bad=$(since | sed -n 's/.*check of [0-9]* folders*: \([0-9]*\) of.*/\1/p' |
	    awk -v m="$1" '$1 > m' | head -1)
	[ -z "$bad" ] || fail "a check looked at $bad containers: $(since | grep 'check of' | head -3)"
}

# a folder made beside the containers: no container is looked at
mkdir "$(cgdir memory "$PARENT/other")" || fail "mkdir other"
wait_for 5 sh -c "tail -n +$((mark + 1)) '$TDIR/daemon.log' | grep -q 'check of 1 folder: 0 of $total containers'" ||
    fail "no check of the new folder alone: $(since | tail -3)"
checks_ok 0
pass "a folder made beside $total containers: 0 of them looked at"

# the runtime removes web1's cgroup: seen at once, and web1 alone is looked at
mark=$(wc -l < "$TDIR/daemon.log")
rmcg
wait_for 5 sh -c "tail -n +$((mark + 1)) '$TDIR/daemon.log' | grep -q 'web1: stopped (cgroup'" ||
    fail "accountd did not notice web1 stop (no rescan to help)"
checks_ok 1
pass "web1's cgroup removed: seen stopped, 1 of $total containers looked at"

# and makes it again: started with its saved settings
mark=$(wc -l < "$TDIR/daemon.log")
mkcg
wait_for 10 sh -c "tail -n +$((mark + 1)) '$TDIR/daemon.log' | grep -q 'web1: running in'" ||
    fail "accountd did not notice web1 start again: $(since | tail -3)"
[ "$(mem_limit "$rt")" = $((128 << 20)) ] || fail "saved ram not applied when web1 came back"
checks_ok 1
pass "web1's cgroup made again: started with ram=128M, 1 of $total containers looked at"

# the others ran on untouched
[ "$(actl list -H -o ctid | wc -l)" -eq "$total" ] || fail "containers lost"
[ "$(cat "$(cgdir pids "$(ctcg w7)")/pids.max")" = 50 ] || fail "w7's numproc"
pass "the $N other containers still listed, their limits in place"
