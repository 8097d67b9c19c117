#!/bin/bash
# Bad input gets a one-line error naming what was wrong and what is
# accepted, a non-zero exit, and nothing applied; malformed traffic on the
# socket gets an error or a close, and the daemon keeps serving.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

actl create 106 --ram 128M --cpulimit 30 --numproc 30 || fail "create"
state() { echo "$(mem_limit "$(ctcg 106)") $(cpu_quota_pct "$(ctcg 106)") $(knob 106 pids pids.max pids.max)"; }
before=$(state)

check() {	# EXPECTED_RC PATTERN ARGS...
	local want=$1 pat=$2 out rc; shift 2
	out=$(actl "$@" 2>&1); rc=$?
	[ "$rc" = "$want" ] || fail "acctctl $* exited $rc (want $want): $out"
	# one line: the message, then at most the command's synopsis
	# ("usage: ...") after a usage error
	[ "$(printf '%s\n' "$out" | grep -c .)" -ge 1 ] || fail "no message for: $*"
	[ "$(printf '%s\n' "$out" | grep -v '^usage: ' | grep -c .)" = 1 ] ||
	    fail "acctctl $*: the message is not one line: $(printf '%s' "$out" | sed 's/^/| /')"
	[ "$(printf '%s\n' "$out" | grep -c '^usage: ')" -le 1 ] ||
	    fail "acctctl $*: more than one usage line: $out"
	printf '%s\n' "$out" | head -1 | grep -q -- "$pat" || fail "acctctl $*: '$out' lacks '$pat'"
	note "acctctl $*: $(printf '%s\n' "$out" | head -1)"
}
check 2 "accepted"	set 106 --ram lots
check 2 "no suffix"	set 106 --numproc 10K
check 2 "out of range"	set 106 --cpuunits 7
check 2 "out of range"	set 106 --ioprio 9
check 2 "barrier above limit"	set 106 --numproc 50:40
check 2 "needs --ram"	create 107 --swap 1G
check 2 "unknown option"	set 106 --bananas 3
check 2 "bad container name"	set '../x' --ram 1G
check 3 "no container 999"	set 999 --ram 1G
check 2 "has no CPU in common"	set 106 --cpumask 4000-4001
check 2 "bad cgroup path"	create 108 --cgroup /a/../../etc
check 2 "already exists"	create 106
check 2 "nothing to set"	set 106
check 2 "unknown command"	frobnicate
check 2 "whole seconds"	ubc -n soon 106
check 2 "needs a value"	ubc 106 -rd
check 2 "ratio"	ubc -q -qh lots 106
check 2 "meminfo: no container given"	meminfo
check 3 "no container 999"	meminfo 999
check 2 "barrier above limit"	set 106 --diskspace 2G:1G
check 2 "not an absolute path"	set 106 --private relative/tree
check 2 "needs a first-level quota"	set 106 --quotaugidlimit 10
check 2 "private directory /nonexistent"	set 106 --private /nonexistent/acctd --diskspace 1G
check 1 "has no disk quota"	quota 106
check 2 "bad user id 'abc'"	quota 106 -u abc 1M:1M
check 2 "quota: no container given"	quota
# a quota without a tree (as an OpenVZ sample has): applied, with a warning
check 0 "disk quota not in force: it needs the container's tree"	set 106 --diskspace 1G:1G
check 1 "has no disk quota in force"	quota 106
actl show 106 | grep -q 'diskspace .*not enforced: it needs' ||
    fail "show does not say the quota is not enforced: $(actl show 106)"
# two containers never share a cgroup, nor hold one another's (found
# through the registry's index by cgroup path)
mkcg_runtime "$PARENT/rt/c1/inner"
mkcg_runtime "$PARENT/rt/c1-x"
actl create c1 --cgroup "/$PARENT/rt/c1" > /dev/null || fail "adopt c1"
actl create c1x --cgroup "/$PARENT/rt/c1-x" > /dev/null ||
    fail "adopt c1x (a name that shares c1's prefix is no folder of it)"
check 1 "is already container c1's"	create c2 --cgroup "/$PARENT/rt/c1"
check 1 "is inside container c1's cgroup"	create c2 --cgroup "/$PARENT/rt/c1/inner"
check 1 "holds container c1's cgroup"	create c2 --cgroup "/$PARENT/rt"
actl list | grep -q '^c2\b' && fail "a refused create left container c2"
[ "$(state)" = "$before" ] || fail "state changed: $before -> $(state)"
pass "every bad request refused with a message; nothing applied ($before)"

"$HELPERS/ctlsend" "$ACCTCTL_SOCKET" > "$TDIR/ctlsend" 2>&1 || fail "ctlsend: $(cat "$TDIR/ctlsend")"
sed 's/^/# /' "$TDIR/ctlsend"
[ "$(grep -cE "^[a-z-]+ +(reply|closed|no reply)" "$TDIR/ctlsend")" = 18 ] ||
    fail "ctlsend did not run every case"
if grep -E '"ok":true' "$TDIR/ctlsend"; then fail "a malformed request succeeded"; fi
grep -E '^hugelen +reply .*exceeds the limit' "$TDIR/ctlsend" > /dev/null || fail "huge length not refused"
grep -E '^badversion +reply .*version' "$TDIR/ctlsend" > /dev/null || fail "bad version not named"
kill -0 "$DPID" || fail "accountd died"
actl status > /dev/null || fail "accountd stopped answering"
[ "$(state)" = "$before" ] || fail "state changed by raw requests"
pass "malformed frames refused; accountd still serving"
