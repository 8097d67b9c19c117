#!/bin/bash
# Defect 5 of issue 14: `acctctl create c7 --cgroup ./.` adopted the
# host's root cgroup, two containers could claim one cgroup (and `show`
# then reported a limit the kernel did not hold), and socket_group could
# adopt any cgroup.  Now a cgroup path is plain components below the
# root, no two containers share a cgroup or nest, and socket_group is an
# operator: containers yes, adopting cgroups, naming a private area for
# the disk quota and moving other users' processes no (the rights table
# is in accountd(8)).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib-secfiles.sh"
require_cgroups
require_operator
start_daemon -o socket_group="$OP_GROUP"

known() { "$ACCTCTL" list -a -H -o ctid 2> /dev/null | grep -qx "$1"; }

# spellings of the root and of paths out of it
for p in ./. . / // "$PARENT/." "$PARENT/./x" "$PARENT/../.." "$PARENT//x" "$PARENT/x/"; do
	out=$(actl create c7 --cgroup "$p" 2>&1); rc=$?
	[ $rc = 2 ] || fail "--cgroup '$p' accepted (exit $rc): $out"
	[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "bad cgroup path" ||
	    fail "--cgroup '$p': not a one-line bad-path error: $out"
	known c7 && fail "c7 registered with --cgroup '$p'"
done
pass "the root, '.', '..' and empty components are refused"

# one cgroup, one container; none holds another's
mkcg_runtime "$PARENT/rt/a/sub"
mkcg_runtime "$PARENT/rt/b"
actl create a1 --cgroup "/$PARENT/rt/a" --cpulimit 20 || fail "adopt rt/a"
actl create o1 --numproc 30 || fail "own o1"
check_busy() {	# CT PATH WHO
	out=$(actl create "$1" --cgroup "$2" --cpulimit 50 2>&1) && fail "$2 claimed twice"
	echo "$out" | grep -q "$3" || fail "refusal of $2 does not name $3: $out"
	known "$1" && fail "$1 registered"
	return 0
}
check_busy a2 "/$PARENT/rt/a" "container a1"
check_busy a3 "$PARENT/rt" "container a1"
check_busy a4 "$PARENT/rt/a/sub" "container a1"
check_busy a5 "$PARENT/o1" "container o1"
check_busy a6 "$PARENT" "cgroup_parent"
[ "$(cpu_quota_pct "$PARENT/rt/a")" = 20 ] || fail "a1's cpulimit changed"
pass "a cgroup claimed, held or inside another container's is refused, naming it"

# the same from ct_conf_dir: the second file naming one cgroup is refused
printf 'CGROUP="/%s/rt/b"\nCPUUNITS="500"\n' "$PARENT" > "$TDIR/ct/b1.conf"
printf 'CGROUP="/%s/rt/b"\nCPUUNITS="700"\n' "$PARENT" > "$TDIR/ct/b2.conf"
kill -HUP "$DPID"
wait_for 5 grep -q 'configuration reloaded' "$TDIR/daemon.log" || fail "no reload"
n=0; known b1 && n=$((n + 1)); known b2 && n=$((n + 1))
[ $n = 1 ] || fail "$n containers hold rt/b"
grep -Eq "b[12]: not managed.*already container b[12]'s" "$TDIR/daemon.log" ||
    fail "the refused file is not logged"
pass "two CTID.conf files with one CGROUP=: one is managed, the other logged"

# socket_group: an operator
as_op "$ACCTCTL" create op1 --numproc 20 || fail "operator create"
as_op "$ACCTCTL" set op1 --cpulimit 30 || fail "operator set"
[ "$(cpu_quota_pct "$(ctcg op1)")" = 30 ] || fail "operator set not applied"
as_op "$ACCTCTL" show op1 > /dev/null || fail "operator show"
out=$(as_op "$ACCTCTL" create op2 --cgroup "/$PARENT/rt/c" 2>&1); rc=$?
[ $rc = 6 ] || fail "operator adopted a cgroup (exit $rc): $out"
echo "$out" | grep -q "root's" || fail "refusal does not say why: $out"
printf 'CGROUP="/%s/rt/c"\n' "$PARENT" > "$TDIR/adopt.conf"; chmod 644 "$TDIR/adopt.conf"
out=$(as_op "$ACCTCTL" create op2 --config "$TDIR/adopt.conf" 2>&1); rc=$?
[ $rc = 6 ] || fail "operator adopted through CGROUP= in --config (exit $rc): $out"
known op2 && fail "op2 registered"
out=$(as_op "$ACCTCTL" set op1 --private "$TDIR" 2>&1); rc=$?
[ $rc = 6 ] || fail "operator named a private area (exit $rc): $out"
out=$(as_op "$ACCTCTL" create op3 --private "$TDIR" 2>&1); rc=$?
[ $rc = 6 ] || fail "operator created with a private area (exit $rc): $out"
known op3 && fail "op3 registered"
sleep 300 & root_pid=$!; BGPIDS+=("$root_pid")
"$SECTOOL" runas "$OP_USER" sleep 300 & op_pid=$!; BGPIDS+=("$op_pid")
out=$(as_op "$ACCTCTL" attach op1 "$root_pid" 2>&1); rc=$?
[ $rc = 6 ] || fail "operator attached root's process (exit $rc): $out"
grep -qx "$root_pid" "$(cgdir pids "$(ctcg op1)")/cgroup.procs" && fail "root's pid moved"
wait_for 5 sh -c "grep -q '^Uid:.*$(id -u "$OP_USER")' /proc/$op_pid/status" || fail "no operator process"
as_op "$ACCTCTL" attach op1 "$op_pid" || fail "operator could not attach its own process"
grep -qx "$op_pid" "$(cgdir pids "$(ctcg op1)")/cgroup.procs" || fail "operator's pid not moved"
actl attach op1 "$root_pid" || fail "root could not attach"
as_op "$ACCTCTL" destroy op1 --force || fail "operator destroy"
pass "socket_group: create/set/show/destroy yes; adopt, --private and foreign attach are root's (exit 6)"
