#!/bin/bash
# Beancounters and alerts with real failures on this kernel: a memory hog
# against ram and a fork loop against numproc raise failcnt; each increase
# is an event on `acctctl events -f`, a log line, a hook run (rate-limited)
# and an Alertmanager post; `acctctl ubc` prints /proc/user_beancounters'
# format; maxheld and failcnt survive a kill -9 of accountd and a restart
# of the container.
. "$(dirname "$0")/lib.sh"
require_cgroups
prepare_tdir

# the hook writes what it was given
cat > "$TDIR/hook" <<'HOOK'
#!/bin/bash
{ env | grep '^ACCT_' | sort; echo "args=$*"; echo ---; } >> "${0%/*}/hook.out"
HOOK
chmod +x "$TDIR/hook"
# a stand-in Alertmanager: takes the posts
"$HELPERS/httpsink" "$TDIR/am.port" "$TDIR/am.out" 100 &
BGPIDS+=("$!")
wait_for 5 test -s "$TDIR/am.port" || fail "httpsink did not start"
start_daemon -o alert_hook="$TDIR/hook" -o alert_hook_interval=3600 \
    -o "alertmanager_url=http://127.0.0.1:$(cat "$TDIR/am.port")/api/v2/alerts"

actl create 301 --ram 64M --swap 0 --numproc 8 || fail "create"
actl events -f -j 301 > "$TDIR/events" 2>&1 &
BGPIDS+=("$!")
sleep 0.3

# ---- memory: the hog is killed, failcnt grows, an event arrives
actl exec 301 -- "$HELPERS/memhog" 200 > /dev/null 2>&1 &
wait $! 2> /dev/null; rc=$?
[ "$rc" = 137 ] || fail "memhog exited $rc, expected 137"
wait_for 5 grep -q '"resource":"oomguarpages"' "$TDIR/events" ||
    fail "no oomguarpages event: $(cat "$TDIR/events")"
pass "OOM kill -> oomguarpages failcnt event: $(grep -m1 oomguarpages "$TDIR/events")"
if cg_is_v2; then
	wait_for 5 grep -q '"resource":"physpages"' "$TDIR/events" ||
	    fail "no physpages event on v2 (memory.events oom)"
	pass "v2: reclaim could not make room -> physpages failcnt event"
fi

# ---- numproc: a fork loop against numproc=8
out=$(actl exec 301 -- "$HELPERS/forker" 20)
[ "$out" = "ok=7 failed=13 first_errno=11" ] || fail "forker: $out"
wait_for 5 grep -q '"resource":"numproc"' "$TDIR/events" ||
    fail "no numproc event: $(cat "$TDIR/events")"
ev=$(grep -m1 '"resource":"numproc"' "$TDIR/events")
# at the refusal the container held its limit, whatever it holds when
# accountd reads the counter (the forker and its children are gone)
echo "$ev" | grep -q '"held":8,' && echo "$ev" | grep -q '"maxheld":\(8\|9\|[1-9][0-9]\),' ||
    fail "the numproc event does not report held 8 (the limit) at the refusal: $ev"
pass "fork refused by numproc -> numproc event, held 8 at the refusal: $ev"
actl exec 301 -- "$HELPERS/forker" 20 > /dev/null
wait_for 5 sh -c "[ \$(grep -c '\"resource\":\"numproc\"' '$TDIR/events') -ge 2 ]" ||
    fail "the second fork loop gave no event"

# ---- the hook: ran with the facts, once per resource per interval
wait_for 5 grep -q 'ACCT_RESOURCE=numproc' "$TDIR/hook.out" || fail "hook did not run"
grep -q '^ACCT_CT=301$' "$TDIR/hook.out" || fail "hook env lacks ACCT_CT: $(cat "$TDIR/hook.out")"
grep -q '^args=failcnt$' "$TDIR/hook.out" || fail "hook args"
# the count is only worth something once a second hook would have run:
# the notifier has posted both numproc alerts (it starts the hook before
# the post of the same alert), and a second more for the hook to write
wait_for 10 sh -c "[ \$(grep -o '\"resource\":\"numproc\"' '$TDIR/am.out' | wc -l) -ge 2 ]" ||
    fail "the notifier did not post both numproc alerts: $(grep -o '"resource":"[a-z]*"' "$TDIR/am.out" | sort | uniq -c | tr '\n' ' ')"
sleep 1
[ "$(grep -c 'ACCT_RESOURCE=numproc' "$TDIR/hook.out")" = 1 ] ||
    fail "hook ran $(grep -c 'ACCT_RESOURCE=numproc' "$TDIR/hook.out") times for numproc within alert_hook_interval"
pass "hook ran directly with ACCT_* facts, rate-limited to one run per resource"

# ---- Alertmanager: the v2 alerts API got a post
wait_for 5 grep -q 'AccountdFailcnt' "$TDIR/am.out" || fail "no Alertmanager post"
grep -q '^POST /api/v2/alerts HTTP' "$TDIR/am.out" || fail "not a POST to /api/v2/alerts"
grep -q '"container":"301"' "$TDIR/am.out" || fail "post lacks the container label"
pass "Alertmanager API v2 received the alert"

# ---- a notifier that dies is started again, and later alerts get through
npid=$(sed -n 's/.*notifier pid \([0-9]*\).*/\1/p' "$TDIR/daemon.log" | tail -1)
[ -n "$npid" ] && kill -0 "$npid" 2> /dev/null || fail "no notifier pid in the log"
kill -KILL "$npid"
# (the log also says "notifier pid N killed by signal 9": count starts)
wait_for 5 sh -c "[ \$(grep -c 'notifier pid [0-9]* .*started' '$TDIR/daemon.log') -ge 2 ]" ||
    fail "the notifier was not started again: $(tail -3 "$TDIR/daemon.log")"
posts=$(grep -c '^POST ' "$TDIR/am.out")
actl exec 301 -- "$HELPERS/forker" 20 > /dev/null
wait_for 5 sh -c "[ \$(grep -c '^POST ' '$TDIR/am.out') -gt $posts ]" ||
    fail "no post after the notifier came back"
pass "notifier killed: started again, the next alert was posted"

# ---- ubc: /proc/user_beancounters format
actl ubc 301 > "$TDIR/ubc"
head -1 "$TDIR/ubc" | grep -qx 'Version: 2.5' || fail "no Version: 2.5 line"
sed -n 2p "$TDIR/ubc" | grep -qE '^ +uid  resource +held +maxheld +barrier +limit +failcnt$' ||
    fail "bad header: $(sed -n 2p "$TDIR/ubc")"
sed -n 3p "$TDIR/ubc" | grep -qE '^ +301:  [a-z]+ ' || fail "first row lacks 301:"
fc() { awk -v r="$1" '$0 ~ "^ +(301: +)?"r" " { print $NF }' "$TDIR/ubc"; }
mh() { awk -v r="$1" '$0 ~ "^ +(301: +)?"r" " { print $(NF-3) }' "$TDIR/ubc"; }
np=$(fc numproc) og=$(fc oomguarpages) pmax=$(mh physpages)
[ "$np" -ge 26 ] || fail "numproc failcnt $np, expected >= 26"
[ "$og" -ge 1 ] || fail "oomguarpages failcnt $og"
[ "$pmax" -ge 16000 ] || fail "physpages maxheld $pmax pages, expected near 16384"
pass "ubc: numproc failcnt $np, oomguarpages failcnt $og, physpages maxheld $pmax"
actl events -n 100 301 | grep -q numproc || fail "events history"

# ---- kill -9 and restart: nothing goes backwards, nothing repeats
nev=$(actl events -n 1000 301 | grep -c .)
kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=
start_daemon -o alert_hook="$TDIR/hook" -o alert_hook_interval=3600
sleep 1.5
actl ubc 301 > "$TDIR/ubc"
[ "$(fc numproc)" = "$np" ] || fail "numproc failcnt $np -> $(fc numproc) after kill -9"
[ "$(fc oomguarpages)" = "$og" ] || fail "oomguarpages failcnt changed after kill -9"
[ "$(mh physpages)" -ge "$pmax" ] || fail "physpages maxheld went back"
[ "$(actl events -n 1000 301 | grep -c .)" = "$nev" ] ||
    fail "history lost or repeated: $nev events before, $(actl events -n 1000 301 | grep -c .) after"
pass "after kill -9: failcnt and maxheld kept, no alert repeated"

# ---- the container restarts: its kernel counters reset, ours do not
mkcg_runtime "$PARENT/rt/web2"
actl create web2 --cgroup "/$PARENT/rt/web2" --numproc 5 || fail "adopt web2"
actl exec web2 -- "$HELPERS/forker" 10 > /dev/null
sleep 1.2
actl ubc web2 > "$TDIR/ubc"
f1=$(awk '$0 ~ /numproc/ { print $NF }' "$TDIR/ubc")
[ "$f1" -ge 6 ] || fail "web2 numproc failcnt $f1"
rmcg_runtime "$PARENT/rt/web2"
wait_for 5 sh -c "\"$ACCTCTL\" list -S -H -o ctid | grep -qx web2" || fail "stop not seen"
mkcg_runtime "$PARENT/rt/web2"
wait_for 5 sh -c "\"$ACCTCTL\" list -H -o ctid | grep -qx web2" || fail "restart not seen"
[ "$(cat "$(cgdir pids "$PARENT/rt/web2")/pids.events" | awk '{print $2}')" = 0 ] ||
    fail "the new cgroup should start with zero failures"
sleep 1.2
actl ubc web2 > "$TDIR/ubc"
f2=$(awk '$0 ~ /numproc/ { print $NF }' "$TDIR/ubc")
[ "$f2" = "$f1" ] || fail "failcnt $f1 -> $f2 across a container restart"
actl exec web2 -- "$HELPERS/forker" 10 > /dev/null
sleep 1.2
actl ubc web2 > "$TDIR/ubc"
f3=$(awk '$0 ~ /numproc/ { print $NF }' "$TDIR/ubc")
[ "$f3" -ge $((f1 + 6)) ] || fail "new failures not added: $f1 -> $f3"
pass "container restart: failcnt kept ($f1) and new failures added ($f3)"
