#!/bin/bash
# The idle gate (issue 17): a container whose CPU counter did not move
# since its last sample is read no further that round (it is read in full
# every 120th round only).  What happens in a skipped container must still
# be seen as before: memory taken by a burst at the next round, not at
# the 120th; an OOM kill and a refused fork as failcnt events, the counts
# equal to the kernel's; and a container that appears beside skipped ones
# under their parent is found and sampled.  The daemon's debug log says
# when a container turns idle, which is how the test knows it was skipped.
. "$(dirname "$0")/lib.sh"
require_cgroups
prepare_tdir
start_daemon -o log_level=debug -o discover="$PARENT/rt/%n"

idle_logged() { grep -q "$1: idle: its CPU counter alone is read" "$TDIR/daemon.log"; }
held() {	# CT RESOURCE
	actl ubc "$1" | awk -v r="$2" '$1 == r { print $2 } $2 == r { print $3 }'
}
failcnt() {	# CT RESOURCE
	actl ubc "$1" | awk -v r="$2" '$1 == r || $2 == r { print $NF }'
}
held_ge() { [ "$(held "$1" "$2")" -ge "$3" ]; }	# CT RESOURCE VALUE
listed() { actl list -H -o ctid | grep -qx "$1"; }

# ---- a burst of memory in an idle container: seen at the next rounds
actl create 401 || fail "create 401"
wait_for 10 idle_logged 401 || fail "401 (no process) never turned idle"
pass "401 with no process is idle: one read a round"
before=$(held 401 physpages)
bg_in 401 "$HELPERS/memhog" 40 60
# 40 MiB is 10240 pages; a full read only every 120th round would
# leave the old figure for up to two minutes
wait_for 5 held_ge 401 physpages 10240 ||
    fail "40 MiB taken in idle 401 not seen in 5 rounds: physpages held $(held 401 physpages) (was $before)"
grep -q "401: moving: read in full" "$TDIR/daemon.log" || fail "no 'moving' line for 401"
pass "a burst in idle 401 is seen at once: physpages $before -> $(held 401 physpages)"

# ---- an OOM kill in an idle container: failcnt and its event
actl create 402 --ram 32M --swap 0 || fail "create 402"
bg_in 402 sleep 600
wait_for 10 idle_logged 402 || fail "402 (one sleeping process) never turned idle"
actl events -f -j 402 > "$TDIR/events" 2>&1 &
BGPIDS+=($!)
sleep 0.5
actl exec 402 -- "$HELPERS/memhog" 100 > /dev/null 2>&1
[ $? = 137 ] || fail "memhog 100 MiB under ram=32M was not killed"
wait_for 5 grep -q '"resource":"oomguarpages"' "$TDIR/events" ||
    fail "no oomguarpages event for the OOM in idle 402: $(cat "$TDIR/events")"
k=$(oom_kills "$(ctcg 402)")
[ "$(failcnt 402 oomguarpages)" = "$k" ] ||
    fail "oomguarpages failcnt $(failcnt 402 oomguarpages), the kernel's oom_kill $k"
pass "an OOM in idle 402: event, failcnt $k as the kernel counts"

# ---- a refused fork in an idle container
actl create 403 --numproc 8 || fail "create 403"
bg_in 403 sleep 600
wait_for 10 idle_logged 403 || fail "403 (one sleeping process) never turned idle"
actl events -f -j 403 > "$TDIR/events3" 2>&1 &
BGPIDS+=($!)
sleep 0.5
out=$(actl exec 403 -- "$HELPERS/forker" 20)
note "forker: $out"
case $out in *failed=0*) fail "no fork was refused: $out" ;; esac
wait_for 5 grep -q '"resource":"numproc"' "$TDIR/events3" ||
    fail "no numproc event for the refused fork in idle 403: $(cat "$TDIR/events3")"
k=$(awk '$1 == "max" { print $2 }' "$(cgdir pids "$(ctcg 403)")/pids.events")
[ "$(failcnt 403 numproc)" = "$k" ] ||
    fail "numproc failcnt $(failcnt 403 numproc), the kernel's pids.events max $k"
pass "a refused fork in idle 403: event, failcnt $k as the kernel counts"

# ---- a container appearing under the parent of skipped ones
mkcg_runtime "$PARENT/rt/web1"
wait_for 5 listed web1 || fail "web1 not discovered"
wait_for 10 idle_logged web1 || fail "web1 never turned idle"
mkcg_runtime "$PARENT/rt/web2"
wait_for 5 listed web2 ||
    fail "web2, beside idle web1, not discovered"
wait_for 5 held_ge web2 physpages 0 || fail "web2 has no rows"
pass "web2 under the parent of idle web1 is found and sampled"
rmcg_runtime "$PARENT/rt/web2"
rmcg_runtime "$PARENT/rt/web1"
