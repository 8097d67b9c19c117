#!/bin/bash
# Root locked out (issue 14, defect 2): nobody opens 300 connections to
# the read-only socket, each following the events and never reading.
# Before the fix one connection limit (256) was shared by both sockets:
# root's acctctl list failed (exit 5) and acctctl set died of SIGPIPE
# (exit 141, no message), and every refused connection logged a warning
# (1,744 lines in 3 s).  Now each socket has its own limit, a uid other
# than root its own share, the refusals are logged once per interval with
# a count, and acctctl says when accountd closed the connection.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
[ -x "$HELPERS/ctlabuse" ] || fail "no ctlabuse helper at $HELPERS"

start_daemon -o follower_timeout=3
chmod 755 "$TDIR"
RSOCK=$TDIR/run/accountd.rsock
actl create 211 --numproc 3 > /dev/null || fail "create 211"

# a follower of root's that reads keeps its stream past follower_timeout
actl events -f 211 > "$TDIR/follow.out" 2>&1 &
FOLLOW=$!
BGPIDS+=("$FOLLOW")

"$HELPERS/ctlabuse" follow "$RSOCK" 300 12 > "$TDIR/abuse.out" 2>&1 &
APID=$!
BGPIDS+=("$APID")
wait_for 30 grep -q '^ready' "$TDIR/abuse.out" || fail "the abuse did not start"
open=$(sed -n 's/^open=//p' "$TDIR/abuse.out")
note "nobody holds $open of 300 follower connections on accountd.rsock"

out=$(actl list 2>&1); rc=$?
[ "$rc" = 0 ] || fail "root's acctctl list: exit $rc: $out"
out=$(actl set 211 --numproc 5 2>&1); rc=$?
[ "$rc" = 0 ] || fail "root's acctctl set: exit $rc: $out"
pass "root's acctctl list and set work (exit 0) while nobody holds its share"
[ "$open" -ge 1 ] && [ "$open" -le 32 ] ||
    fail "nobody holds $open connections (expected 1 to max_connections_per_uid, 32)"

# nobody's next connection is refused with a message, not a signal
out=$("$HELPERS/ctlabuse" exec "$ACCTCTL" list 2>&1); rc=$?
note "nobody's acctctl list: exit $rc: $out"
[ "$rc" = 5 ] || fail "nobody's refused acctctl list: exit $rc (expected 5)"
echo "$out" | grep -q "connections" ||
    fail "the refusal does not say why: $out"
pass "nobody's extra connection is refused with a message (exit 5)"

# an event reaches the follower that reads, after follower_timeout
sleep 4
out=$(actl exec 211 -- "$HELPERS/forker" 10) || true
note "forker in numproc=5: $out"
wait_for 10 grep -q 'numproc' "$TDIR/follow.out" ||
    fail "root's follower got no event: $(cat "$TDIR/follow.out")"
kill -0 "$FOLLOW" 2> /dev/null || fail "root's follower was dropped"
pass "a follower that reads still gets its events after follower_timeout"

wait_for 12 grep -q "more connections refused in the last 10 s" "$TDIR/daemon.log" ||
    fail "no log line with the count of refused connections"
refused=$(grep -c "refused a connection\|connections refused" "$TDIR/daemon.log")
note "log lines about refused connections: $refused"
grep "refused a connection\|connections refused" "$TDIR/daemon.log" | head -n 3 | sed 's/^/# /'
[ "$refused" -le 3 ] || fail "$refused log lines for refused connections (expected a few, with counts)"
pass "refused connections are logged once per interval, with a count"
wait "$APID"
kill -0 "$DPID" || fail "accountd died"
