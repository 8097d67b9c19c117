#!/bin/bash
# A container over the descriptor budget ("lean": its directories are not
# kept open) still has its OOM kills seen at once, not at a later sampling
# round (issue 17, goal 1: 100,000 containers keep their failures event-
# driven).  accountd runs with an open-file limit of 600 it cannot raise,
# as on a host with a low LimitNOFILE: the budget is then 88 descriptors,
# so the second or third container is lean.  On v1 a lean container's
# eventfd is taken from the budget like its CPU counter; on v2 it is
# watched by inotify, which needs no descriptor.  The OOM is caused by a process put
# into the container's memory cgroup alone (not by acctctl exec, whose
# end makes accountd read the container), with samples 60 s apart: an
# event before the next round came from the kernel's notification.
. "$(dirname "$0")/lib.sh"
require_cgroups
prepare_tdir
W=$TDIR/accountd-nofile
printf '#!/bin/sh\nexec "%s" nofile 600 "%s" "$@"\n' "$HELPERS/sectool" \
    "$ACCOUNTD" > "$W"
chmod 755 "$W"
ACCOUNTD=$W start_daemon -o sample_interval=60000
grep -q 'Max open files *600 *600' "/proc/$DPID/limits" ||
    fail "accountd's open-file limit is not 600: $(grep 'open files' "/proc/$DPID/limits")"

rounds() { od -An -t u8 -j 48 -N 8 "$TDIR/run/snapshot" | tr -d ' '; }
for c in 501 502 503 504; do
	actl create "$c" --ram 32M --swap 0 > /dev/null || fail "create $c"
done
wait_for 5 grep -q 'later containers keep no directories open' \
    "$TDIR/daemon.log" || fail "no container is lean: $(cat "$TDIR/daemon.log")"
first=$(sed -n 's/.*: \([0-9]*\) and later containers keep no directories open.*/\1/p' \
    "$TDIR/daemon.log" | head -1)
[ -n "$first" ] && [ "$first" -le 504 ] || fail "the first lean container is '$first'"
note "containers from $first on are lean"
lean=504

memdir=$(cgdir memory "$(ctcg $lean)")
ok=false
for try in 1 2 3; do
	actl events -f -j "$lean" > "$TDIR/events.$try" 2>&1 &
	ep=$!
	BGPIDS+=("$ep")
	sleep 0.5
	n0=$(rounds)
	rc=$({ sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh \
	    "$memdir" "$HELPERS/memhog" > /dev/null; echo $?; } 2> /dev/null)
	[ "$rc" = 137 ] || fail "memhog 100 MiB in $lean's memory cgroup (ram 32M) exited $rc, not 137"
	wait_for 5 grep -q '"resource":"oomguarpages"' "$TDIR/events.$try"
	got=$?
	n1=$(rounds)
	kill "$ep" 2> /dev/null
	if [ "$n0" != "$n1" ]; then
		note "try $try: a sampling round came between ($n0 -> $n1); again"
		continue
	fi
	[ "$got" = 0 ] ||
	    fail "the OOM in lean $lean raised no event within 5 s (no sampling round between): $(cat "$TDIR/events.$try")"
	ok=true
	break
done
$ok || fail "three tries each crossed a sampling round (60 s apart?)"
failcnt() { actl ubc "$1" | awk '$1 == "oomguarpages" || $2 == "oomguarpages" { print $NF }'; }
fc_is() { [ "$(failcnt "$1")" = "$2" ]; }
k=$(oom_kills "$(ctcg $lean)")
wait_for 5 fc_is "$lean" "$k" ||
    fail "oomguarpages failcnt of $lean is not the kernel's oom_kill $k: $(actl ubc $lean)"
pass "an OOM in lean container $lean: event before the next round, failcnt $k as the kernel counts"

# the descriptors come back: destroyed and made again, still armed
for c in 501 502 503 504; do actl destroy "$c" > /dev/null || fail "destroy $c"; done
for c in 501 502 503 504; do
	actl create "$c" --ram 32M --swap 0 > /dev/null || fail "create $c again"
done
: > "$TDIR/events.again"
actl events -f -j "$lean" > "$TDIR/events.again" 2>&1 &
BGPIDS+=("$!")
sleep 0.5
n0=$(rounds)
{ sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 100' sh "$memdir" \
    "$HELPERS/memhog" > /dev/null; } 2> /dev/null
wait_for 5 grep -q '"resource":"oomguarpages"' "$TDIR/events.again" ||
    [ "$(rounds)" != "$n0" ] ||
    fail "after destroy and create, the OOM in lean $lean raised no event: $(cat "$TDIR/events.again")"
pass "after destroying and making them again, lean $lean is armed again"
