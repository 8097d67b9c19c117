#!/bin/bash
# Saved settings survive a restart of the daemon and of the container:
# a container's cgroup made by "its runtime" (here, by the test) is
# adopted; when the runtime recreates it (a container restart) accountd
# applies the saved settings again, and when accountd restarts it applies
# them to the running container.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

rt="$PARENT/runtime/web1"
mkcg() {	# the "runtime" creates the container's cgroups
	if cg_is_v2; then
		mkdir -p "$CGROUP_ROOT/$PARENT"
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
actl create web1 --cgroup "/$rt" --ram 128M --numproc 40 || fail "adopt"
actl set web1 --cpulimit 30 --save || fail "set --save"
[ "$(mem_limit "$rt")" = $((128 << 20)) ] || fail "ram not applied on adoption"
[ "$(cpu_quota_pct "$rt")" = 30 ] || fail "cpulimit not applied"
pass "adopted /$rt with ram=128M numproc=40 cpulimit=30"

# the container restarts: its cgroup is removed and made again
rmcg
wait_for 5 sh -c "actl() { \"$ACCTCTL\" \"\$@\"; }; actl list -S -H -o ctid | grep -qx web1" ||
    fail "accountd did not notice the container stop"
applied=$(grep -c 'web1: .*saved settings applied' "$TDIR/daemon.log")
mkcg
wait_for 5 sh -c "[ \"\$(cat '$(cgdir memory "$rt")/$(cg_is_v2 && echo memory.max || echo memory.limit_in_bytes)')\" = $((128 << 20)) ]" ||
    fail "saved ram not applied when the container came back"
[ "$(grep -c 'web1: .*saved settings applied' "$TDIR/daemon.log")" -gt "$applied" ] ||
    fail "the daemon did not say it applied the saved settings: $(tail -3 "$TDIR/daemon.log")"
[ "$(cpu_quota_pct "$rt")" = 30 ] || fail "saved cpulimit not applied on restart"
[ "$(cat "$(cgdir pids "$rt")/pids.max")" = 40 ] || fail "saved numproc not applied"
pass "container restart: saved settings applied again"

# accountd restarts while the container runs with reset limits
stop_daemon
if cg_is_v2; then echo max > "$(cgdir memory "$rt")/memory.max"
else	# v1: memsw must stay >= mem, so raise it first
	echo -1 > "$(cgdir memory "$rt")/memory.memsw.limit_in_bytes" &&
	    echo -1 > "$(cgdir memory "$rt")/memory.limit_in_bytes" || fail "reset"
fi
[ "$(mem_limit "$rt")" = max ] || fail "could not reset the limit by hand"
start_daemon
wait_for 5 sh -c "[ \"\$(cat '$(cgdir memory "$rt")/$(cg_is_v2 && echo memory.max || echo memory.limit_in_bytes)')\" = $((128 << 20)) ]" ||
    fail "saved ram not applied at daemon start"
actl show web1 | grep -E '^  cpulimit +30%' > /dev/null || fail "show after restart"
pass "daemon restart: saved settings applied to the running container"

# an unsaved change is live only
actl set web1 --numproc 60 || fail "set without save"
[ "$(cat "$(cgdir pids "$rt")/pids.max")" = 60 ] || fail "numproc 60 not live"
grep -q '^NUMPROC="40"$' "$TDIR/ct/web1.conf" || fail "unsaved change reached the file"
pass "a change without --save is live but not saved"
