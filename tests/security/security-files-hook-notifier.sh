#!/bin/bash
# Defect 9 of issue 14, the alert children: the hook timeout killed the
# hook but not what it started, and the notifier (as nobody) kept a
# writable mapping of the root-owned beancounter store and opened one
# connection per alert (200 descriptors in a burst).  Now the timeout
# kills the hook's process group, and the notifier unmaps root's shared
# files and posts over one connection, at most 64 posts waiting.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
id nobody > /dev/null 2>&1 || skip "no user nobody for the notifier"
prepare_tdir

# an Alertmanager that takes connections and never answers: every post
# the notifier makes stays open until its 5 s timeout
[ -x "$HELPERS/sectool" ] || fail "no sectool in $HELPERS"
"$HELPERS/sectool" hold "$TDIR/am.port" 120 &
BGPIDS+=("$!")
wait_for 5 test -s "$TDIR/am.port" || fail "listener did not start"

cat > "$TDIR/hook" <<HOOK
#!/bin/sh
sleep 300 &
echo \$! >> "$TDIR/hook.children"
sleep 300
HOOK
chmod 755 "$TDIR/hook"
start_daemon -o alertmanager_url="http://127.0.0.1:$(cat "$TDIR/am.port")/api/v2/alerts" \
    -o alert_hook="$TDIR/hook" -o alert_hook_timeout=1 -o alert_hook_interval=3600
npid=$(sed -n 's/.*notifier pid \([0-9]*\).*/\1/p' "$TDIR/daemon.log" | tail -1)
[ -n "$npid" ] && kill -0 "$npid" || fail "no notifier"

# the notifier holds no shared writable mapping of root's files
if grep -E '^[0-9a-f]+-[0-9a-f]+ .w.s ' "/proc/$npid/maps" | grep -q .; then
	fail "the notifier maps root's files writable: $(grep -E ' .w.s ' "/proc/$npid/maps")"
fi
grep -q beancounters.db "/proc/$npid/maps" && fail "the notifier maps the store"
pass "the notifier has no shared writable mapping (store, snapshot)"

# a burst of alerts: numproc failures, sampled fast
actl create n1 --numproc 4 || fail "create"
max=0
for _ in $(seq 1 40); do
	actl exec n1 -- "$HELPERS/forker" 8 > /dev/null 2>&1
	n=$(for f in "/proc/$npid/fd/"*; do readlink "$f"; done 2> /dev/null | grep -c '^socket:')
	[ "$n" -gt "$max" ] && max=$n
done
events=$(actl events -n 1000 n1 2> /dev/null | grep -c numproc)
note "$events numproc alerts; the notifier held at most $max sockets"
[ "$events" -ge 10 ] || fail "only $events alerts: the burst did not happen"
[ "$max" -le 3 ] || fail "the notifier held $max sockets for $events alerts (one per alert)"
pass "a burst of $events alerts costs the notifier one connection"

# the hook ran, past its timeout: it and what it started are killed
wait_for 5 test -s "$TDIR/hook.children" || fail "the hook did not run"
child=$(head -1 "$TDIR/hook.children")
BGPIDS+=("$child")
wait_for 5 sh -c "! kill -0 $child 2> /dev/null" ||
    fail "the hook's child $child outlived the hook's timeout"
grep -q "alert hook pid .* ran past 1 s; killed" "$TDIR/daemon.log" || fail "no log line"
pass "the hook timeout kills the hook's children too"
