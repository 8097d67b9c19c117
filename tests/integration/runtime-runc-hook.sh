#!/bin/bash
# Real runc with accountd-hook: limits at start, names, annotations,
# failures, restarts (runtime-runc.sh has the fork burst, 20 runs).
# - saved ram 64M swap 0, a memory hog at start: OOM-killed (exit 137);
# - saved cpulimit 25: the kernel has the quota while the payload runs,
#   and a CPU burner gets at most about a quarter of a CPU in its first
#   second;
# - annotations set limits (org.openvz.accountd.numproc=3) and name the
#   container (org.openvz.accountd.ct); poststop forgets a container
#   named only by the hook;
# - accountd restarted while a hooked container runs finds it again in
#   its runtime's cgroup;
# - hook_failure = refuse: a bad annotation, a daemon that does not
#   answer, or none, keeps the payload from running, and runc's error
#   shows the hook's one line; hook_failure = allow lets it run;
# - the hook request is root's, even for a group allowed on the socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runc.sh"
require_cgroups
require_runc
runc_setup
printf 'NUMPROC="5:5"\n' > "$TDIR/ct/burst.conf"
printf 'PHYSPAGES="0:64M"\nSWAPPAGES="0:0"\n' > "$TDIR/ct/hog.conf"
printf 'CPULIMIT="25"\n' > "$TDIR/ct/cpu.conf"
start_daemon -f "$TDIR/accountd.conf"

# ---- memory hog at start --------------------------------------------------
mk_bundle "$B/hog" "$TDIR/rootfs" "/$PARENT/rc-hog" yes '{}' \
    /helpers/memhog 200
out=$(runc_run "$B/hog" hog 2>&1)
rc=$?
[ "$rc" = 137 ] || fail "memhog 200 MiB under saved ram 64M swap 0 exited $rc, expected 137 (OOM kill): $out"
pass "memory hog at start under saved ram 64M: OOM-killed (exit 137)"

# ---- cpulimit from the first second --------------------------------------
mk_bundle "$B/cpu" "$TDIR/rootfs" "/$PARENT/rc-cpu" yes '{}' \
    /helpers/cpuburn 2
runc_run "$B/cpu" cpu > "$TDIR/cpu.out" 2>&1 &
BGPIDS+=($!)
cpupid=$!
# the quota once the payload runs (the cgroup exists before the hook)
burning() {
	local p
	for p in $(cat "$(cgdir cpu "$PARENT/rc-cpu")/cgroup.procs" 2> /dev/null); do
		[ "$(cat "/proc/$p/comm" 2> /dev/null)" = cpuburn ] && return 0
	done
	return 1
}
wait_for 10 burning || fail "cpuburn did not start in $PARENT/rc-cpu"
q=$(cpu_quota_pct "$PARENT/rc-cpu")
wait "$cpupid"
read -r _ _ ratio < "$TDIR/cpu.out"
ratio=${ratio#ratio=}
note "cpuburn 2 s in cpulimit 25: $(cat "$TDIR/cpu.out"); quota ${q}%"
[ "$q" = 25 ] || fail "cpu quota while the payload ran: $q%, expected 25%"
awk -v r="$ratio" 'BEGIN { exit !(r != "" && r <= 0.32) }' ||
    fail "cpuburn got $ratio of a CPU, above cpulimit 25 (+7 points)"
pass "cpulimit 25 from the first instruction: quota 25% and $ratio of a CPU"

# ---- annotations -----------------------------------------------------------
mk_bundle "$B/annot" "$TDIR/rootfs" "/$PARENT/rc-annot" yes \
    '{ "org.openvz.accountd.numproc": "3" }' /helpers/forker 10
out=$(runc_run "$B/annot" annot 2> "$TDIR/err") ||
    fail "runc with numproc annotation failed: $(cat "$TDIR/err")"
[ "$out" = "ok=2 failed=8 first_errno=11" ] ||
    fail "annotation numproc=3: got '$out', expected ok=2 failed=8"
pass "annotation org.openvz.accountd.numproc=3: exactly 2 children"
[ -n "$(actl list -a -H -o ctid | awk '$1 == "annot"')" ] &&
    fail "annot (named only by the hook) is still listed after poststop"
pass "poststop: annot (no CTID.conf) is forgotten"

# the name from the annotation org.openvz.accountd.ct, its saved settings
mk_bundle "$B/named" "$TDIR/rootfs" "/$PARENT/rc-named" yes \
    '{ "org.openvz.accountd.ct": "burst" }' /helpers/forker 10
out=$(runc_run "$B/named" some-oci-id 2> "$TDIR/err") ||
    fail "runc with the ct annotation failed: $(cat "$TDIR/err")"
[ "$out" = "ok=4 failed=6 first_errno=11" ] ||
    fail "annotation ct=burst should bring burst's numproc 5: got '$out'"
pass "annotation org.openvz.accountd.ct=burst: burst's saved numproc 5"

# ---- accountd restarts while a hooked container runs -----------------------
mk_bundle "$B/long" "$TDIR/rootfs" "/$PARENT/rc-long" yes \
    '{ "org.openvz.accountd.ct": "burst" }' /bin/sleep 60
runc_run "$B/long" long > /dev/null 2>&1 &
longpid=$!
BGPIDS+=("$longpid")
st() { actl list -a -H -o ctid,status,origin,cgroup | awk '$1 == "burst" { print $2, $3, $4 }'; }
st_is() { [ "$(st)" = "$1" ]; }
wait_for 10 st_is "running hook $PARENT/rc-long" ||
    fail "burst in rc-long is not running: $(st)"
stop_daemon
start_daemon -f "$TDIR/accountd.conf"
wait_for 5 st_is "running hook $PARENT/rc-long" ||
    fail "after a restart of accountd, burst is '$(st)', expected running hook $PARENT/rc-long"
[ "$(cat "$(cgdir pids "$PARENT/rc-long")/pids.max")" = 5 ] ||
    fail "pids.max of rc-long after the restart is not the saved 5"
pass "accountd restarted: the hooked container is found again in its runtime's cgroup"
"$RUNC" --root "$TDIR/runc" kill long KILL
wait "$longpid"
wait_for 5 st_is "stopped hook $PARENT/rc-long" ||
    fail "burst should be stopped after its container ended: $(st)"
[ -e "$TDIR/run/hooked/burst" ] && fail "run/hooked/burst is left after the end"
pass "its end after the restart: stopped, its record gone"

# ---- hook_failure = refuse -------------------------------------------------
mk_bundle "$B/bad" "$TDIR/rootfs" "/$PARENT/rc-bad" yes \
    '{ "org.openvz.accountd.ram": "banana" }' \
    /bin/sh -c 'echo ran > /out/marker'
runc_run "$B/bad" bad > "$TDIR/out" 2> "$TDIR/err" &&
    fail "runc started a container whose annotation ram=banana is bad"
[ -e "$B/bad/out/marker" ] && fail "the payload ran despite hook_failure = refuse"
grep -q "accountd-hook: bad: annotation org.openvz.accountd.ram: bad value for --ram: 'banana'" "$TDIR/err" ||
    fail "runc's error does not show the hook's line: $(cat "$TDIR/err")"
note "runc: $(grep -o "accountd-hook: bad:[^\\\\\"]*" "$TDIR/err" | head -1)"
pass "refuse: ram=banana keeps the payload from running; runc shows the hook's line"

HOOK_ARGS=(-f "$TDIR/accountd.conf" -t 3 -o hook_failure=allow)
mk_bundle "$B/bad" "$TDIR/rootfs" "/$PARENT/rc-bad" yes \
    '{ "org.openvz.accountd.ram": "banana" }' \
    /bin/sh -c 'echo ran > /out/marker'
runc_run "$B/bad" bad > "$TDIR/out" 2> "$TDIR/err" ||
    fail "hook_failure = allow: runc failed: $(cat "$TDIR/err")"
[ -e "$B/bad/out/marker" ] || fail "hook_failure = allow: the payload did not run"
rm -f "$B/bad/out/marker"
pass "allow: the same container starts (without its limits)"

# a daemon that does not answer (stopped), then none at all
HOOK_ARGS=(-f "$TDIR/accountd.conf" -t 2)
mk_bundle "$B/down" "$TDIR/rootfs" "/$PARENT/rc-down" yes '{}' \
    /bin/sh -c 'echo ran > /out/marker'
kill -STOP "$DPID"
t0=$EPOCHREALTIME
runc_run "$B/down" down > /dev/null 2> "$TDIR/err"
rc=$?
t1=$EPOCHREALTIME
kill -CONT "$DPID"
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
[ "$rc" != 0 ] || fail "runc started the container while accountd did not answer"
[ -e "$B/down/out/marker" ] && fail "the payload ran while accountd did not answer"
grep -q "accountd-hook: down: no answer from accountd within 2 s" "$TDIR/err" ||
    fail "runc's error does not say the daemon did not answer: $(cat "$TDIR/err")"
awk -v e="$el" 'BEGIN { exit !(e < 10) }' || fail "refusal took $el s with -t 2 (two hooks: 5 s at most, and runc)"
pass "a daemon that does not answer: refused after $el s (-t 2)"

# the hook request is root's, even where a group may use the socket
if command -v setpriv > /dev/null && getent group nogroup > /dev/null &&
    id nobody > /dev/null 2>&1; then
	stop_daemon
	start_daemon -f "$TDIR/accountd.conf" -o socket_group=nogroup
	chmod 755 "$TDIR"
	chmod 644 "$TDIR/accountd.conf"
	out=$(echo "{\"id\":\"nobody1\",\"status\":\"creating\",\"pid\":$$}" |
	    setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$HOOK" -f "$TDIR/accountd.conf" oci createRuntime 2>&1)
	rc=$?
	[ "$rc" = 1 ] && [ "$out" = "accountd-hook: nobody1: the hook request is root's only (accountd-hook runs as root from the container runtime)" ] ||
	    fail "a hook request from nobody (group nogroup, allowed on the socket) gave $rc: $out"
	pass "the hook request is refused to a non-root user allowed on the socket"
else
	note "not checked: a hook request from a non-root user (no setpriv, nobody or nogroup)"
fi

stop_daemon
t0=$EPOCHREALTIME
runc_run "$B/down" down > /dev/null 2> "$TDIR/err" &&
    fail "runc started the container with no accountd running"
el=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
[ -e "$B/down/out/marker" ] && fail "the payload ran with no accountd"
grep -q "accountd-hook: down: cannot reach accountd at $TDIR/run/accountd.sock" "$TDIR/err" ||
    fail "runc's error does not name the socket: $(cat "$TDIR/err")"
pass "no daemon: refused in $el s, the error names the socket"
