#!/bin/bash
# Single instance (issue 14, defect 7): a second accountd with the same
# run_dir used to take over the sockets and remove them on exit, leaving
# the first running but unreachable.  Now the pid file is locked for the
# daemon's life: the second refuses to start, names the first one's pid,
# and leaves its sockets alone.  A pid file left by a daemon killed with
# -9 does not block the next start (the lock went with the process).
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups

start_daemon
first=$DPID
SOCK=$TDIR/run/accountd.sock

second() {
	"$ACCOUNTD" -d -o run_dir="$TDIR/run" -o state_dir="$TDIR/state" \
	    -o ct_conf_dir="$TDIR/ct" -o cgroup_parent="$PARENT" \
	    -o ledger=no > "$TDIR/second.log" 2>&1 &
	SECOND=$!
	BGPIDS+=("$SECOND")
	for _ in $(seq 1 100); do
		kill -0 "$SECOND" 2> /dev/null || break
		sleep 0.05
	done
	if kill -0 "$SECOND" 2> /dev/null; then
		kill -TERM "$SECOND"
		wait "$SECOND"
		fail "a second accountd with the same run_dir is running (pid $SECOND)"
	fi
	wait "$SECOND"
}

second; rc=$?
msg=$(cat "$TDIR/second.log")
note "second accountd: exit $rc: $msg"
[ "$rc" != 0 ] || fail "the second accountd exited 0"
[ "$(grep -c . "$TDIR/second.log")" = 1 ] || fail "expected one line, got: $msg"
echo "$msg" | grep -q "pid $first" || fail "the message does not name pid $first: $msg"
pass "a second accountd refuses to start, naming the running one (pid $first)"

[ -S "$SOCK" ] && [ -S "$TDIR/run/accountd.rsock" ] ||
    fail "the first accountd's sockets are gone"
pid=$(actl -j status 2> /dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' | head -n 1)
actl list > /dev/null || fail "the first accountd no longer answers"
[ -z "$pid" ] || [ "$pid" = "$first" ] || fail "the socket answers for pid $pid, not $first"
[ "$(cat "$TDIR/run/accountd.pid")" = "$first" ] || fail "the pid file no longer says $first"
pass "the first accountd keeps its sockets and pid file and answers"

# killed -9: the pid file stays, but nobody holds its lock
kill -KILL "$first"
wait "$first" 2> /dev/null
DPID=
[ -f "$TDIR/run/accountd.pid" ] || note "the pid file went with the daemon"
start_daemon
[ "$(cat "$TDIR/run/accountd.pid")" = "$DPID" ] || fail "the pid file does not say $DPID"
pass "after kill -9 a new accountd starts (stale pid file, no lock)"
