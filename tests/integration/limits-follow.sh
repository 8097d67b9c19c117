#!/bin/bash
# Alerts follow a limit changed on a running container.  accountd learns
# that a container nears its memory limit from kernel notifications set at
# 90% of the limit (v1: memory thresholds through cgroup.event_control,
# re-registered 100 ms after the last set; v2: inotify on memory.events)
# and polls numproc at pids_poll_interval; sampling is set to once a
# minute here, so an alert within seconds can only come from those.  A
# container made with ram=512M numproc=100 is lowered to ram=64M numproc=8
# while it runs, then pushed past the new limits: the events come within
# seconds and name the new limits.
. "$(dirname "$0")/lib.sh"
require_cgroups
prepare_tdir
start_daemon -o sample_interval=60000 -o hot_interval=50 \
    -o pids_poll_interval=200

actl create 131 --ram 512M --swap 0 --numproc 100 || fail "create"
bg_in 131 sleep 120	# running from here on
actl events -f -j 131 > "$TDIR/events" 2>&1 &
BGPIDS+=("$!")
sleep 0.3
actl set 131 --ram 64M --numproc 8 || fail "lower to ram=64M numproc=8"
[ "$(mem_limit "$(ctcg 131)")" = $((64 << 20)) ] || fail "memory limit not lowered"
sleep 0.5	# the v1 thresholds are re-registered 100 ms after the set

# ---- numproc: refused at 8, and the event says 8
out=$(actl exec 131 -- "$HELPERS/forker" 20)
case $out in ok=*" failed="*) ;; *) fail "forker: $out" ;; esac
[ "${out%% *}" != ok=19 ] || fail "no fork refused with numproc 8: $out"
wait_for 5 grep -q '"resource":"numproc"' "$TDIR/events" ||
    fail "no numproc event within 5 s of the refusal: $(cat "$TDIR/events")"
ev=$(grep -m1 '"resource":"numproc"' "$TDIR/events")
echo "$ev" | grep -q '"limit":8[,}]' ||
    fail "the numproc event does not carry the new limit 8: $ev"
pass "numproc lowered 100 -> 8 while running: forks refused ($out), event at limit 8 within 5 s"

# ---- memory, another container (numproc polling would sample it anyway)
actl create 132 --ram 512M --swap 0 || fail "create 132"
bg_in 132 sleep 120
actl events -f -j 132 > "$TDIR/events132" 2>&1 &
BGPIDS+=("$!")
sleep 0.3
actl set 132 --ram 64M || fail "lower 132 to ram=64M"
sleep 0.5
held() { actl ubc 132 | awk '$1 == "physpages" || $2 == "physpages" {
    for (i = 1; i <= NF; i++) if ($i == "physpages") { print $(i + 1); exit } }'; }
bg_in 132 "$HELPERS/memhog" 60 6
if cg_is_v2; then
	note "v2: no usage threshold to follow (memory.events is watched); the held figure comes with sampling"
else
	# 60 MiB is past 90% of the new 64M (14746 pages), far below 90% of
	# the old 512M: only a threshold at the new limit makes it hot
	for _ in $(seq 30); do
		h=$(held)
		[ "${h:-0}" -ge 14746 ] && break
		sleep 0.1
	done
	[ "${h:-0}" -ge 14746 ] ||
	    fail "60 MiB held for 3 s past 90% of the new 64M limit, yet physpages held is $h pages: the v1 threshold did not follow the new limit (sampling is once a minute)"
	pass "v1 threshold at the new limit: 60 MiB of 64M seen hot, physpages held $h pages"
fi
wait "$BGPID" 2> /dev/null || fail "memhog 60 MiB under the new 64M limit failed"
actl exec 132 -- "$HELPERS/memhog" 100 > /dev/null 2>&1
rc=$?
[ "$rc" = 137 ] || fail "memhog 100 MiB with ram lowered to 64M exited $rc, expected 137"
wait_for 5 grep -q '"resource":"oomguarpages"' "$TDIR/events132" ||
    fail "no oomguarpages event within 5 s of the OOM kill at the new limit: $(cat "$TDIR/events132")"
pass "ram lowered 512M -> 64M while running: 100 MiB OOM-killed, event within 5 s: $(grep -m1 oomguarpages "$TDIR/events132")"
