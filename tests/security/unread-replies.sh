#!/bin/bash
# Unread replies (issue 14, defect 1): nobody, on the read-only socket,
# sends {"cmd":"ubc"} frames without ever reading the replies.  Before the
# fix every request was handled and its reply buffered: 900 KB of requests
# took the daemon from 5.5 MB to over 300 MB.  Now the daemon stops
# reading a client whose unsent output is over its bound (the client's
# writes block), its RSS stays flat, root is served meanwhile, and the
# connection is closed once its output has stayed unread for
# follower_timeout seconds.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
[ -x "$HELPERS/ctlabuse" ] || fail "no ctlabuse helper at $HELPERS"

start_daemon -o follower_timeout=4
chmod 755 "$TDIR"		# nobody reaches run/accountd.rsock
RSOCK=$TDIR/run/accountd.rsock
# a few containers make each ubc reply a few KB (as on a real host)
for ct in 201 202 203 204 205 206; do
	actl create "$ct" --numproc 100 > /dev/null || fail "create $ct"
done
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"; }
reply=$(actl -j ubc | wc -c)
note "one ubc reply: about $reply bytes"
actl ubc > /dev/null
before=$(rss)

"$HELPERS/ctlabuse" flood "$RSOCK" 900000 8 > "$TDIR/flood.out" 2>&1 &
FPID=$!
BGPIDS+=("$FPID")
wait_for 30 grep -q '^ready' "$TDIR/flood.out" || fail "the flood did not finish"
after=$(rss)
sent=$(sed -n 's/^sent=//p' "$TDIR/flood.out")
note "nobody sent $sent bytes of requests without reading; accountd RSS $before KiB before, $after KiB after"
[ "$after" -le $(( 2 * before + 16384 )) ] ||
    fail "accountd grew from $before KiB to $after KiB on unread replies (bound: 2x + 16 MiB)"
pass "RSS bounded: $before -> $after KiB after $sent bytes of unread requests"

out=$(actl list 2>&1) || fail "root's acctctl list fails while nobody floods: $out"
actl set 201 --numproc 50 > /dev/null || fail "root's acctctl set fails while nobody floods"
pass "root is served while the flood holds its connection"

wait "$FPID"
res=$(grep '^unread=' "$TDIR/flood.out")
note "flooder: $res"
case $res in
*closed=1) ;;
*) fail "the connection of a client that does not read was not closed: $res" ;;
esac
grep -q "unread for 4 s; closing its connection" "$TDIR/daemon.log" ||
    fail "no log line for the dropped connection"
pass "the connection left unread for follower_timeout (4 s) was closed, with a log line"
kill -0 "$DPID" || fail "accountd died"
