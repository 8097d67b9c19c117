#!/bin/bash
# Drift: a limit written by someone else (a shell's echo, runc update) is
# seen within one sampling interval: show and list print the kernel's
# value beside the configured one, one "drift" event reaches events -f
# and the alert hook; drift = restore puts the configured value back.
# accountd's own set (and the kernel's rounding of it) is never drift, nor
# is a write to a container accountd set nothing on.
. "$(dirname "$0")/lib.sh"
require_cgroups
prepare_tdir
IV=500		# sample_interval, ms (the VM's emulated CPU needs 220 ms for an event)
cat > "$TDIR/hook.sh" << EOF
#!/bin/sh
env | grep '^ACCT_' | sort > "$TDIR/hook.\$\$"
EOF
chmod 755 "$TDIR/hook.sh"
# a stand-in Alertmanager: takes the posts
"$HELPERS/httpsink" "$TDIR/am.port" "$TDIR/am.out" 100 &
BGPIDS+=("$!")
wait_for 5 test -s "$TDIR/am.port" || fail "httpsink did not start"
start_daemon -o sample_interval=$IV -o alert_hook="$TDIR/hook.sh" \
    -o alert_hook_interval=0 \
    -o "alertmanager_url=http://127.0.0.1:$(cat "$TDIR/am.port")/api/v2/alerts"

# Timing without starting processes (slow in the VM's emulated CPU, and
# not what is measured): bash's EPOCHREALTIME, mapfile, and read -t on a
# FIFO nobody writes as the pause.
ms() { NOW=$(( ${EPOCHREALTIME/./} / 1000 )); }	# sets NOW
now_ms() { ms; echo "$NOW"; }
mkfifo "$TDIR/tick"
exec 9<> "$TDIR/tick"
drift_seen() {	# CT RESOURCE N SECONDS: wait for the Nth drift event for it
	local l n end L
	ms; end=$((NOW + $4 * 1000))
	while :; do
		n=0
		mapfile -t L < "$TDIR/ev.$1"
		for l in "${L[@]}"; do
			[[ $l == *'"type":"drift"'*"\"resource\":\"$2\""* ]] && n=$((n + 1))
		done
		[ "$n" -ge "$3" ] && return 0
		ms; [ "$NOW" -ge "$end" ] && return 1
		read -t 0.005 -u 9 _ || :
	done
}
file_seen() {	# FILE VALUE SECONDS: wait until the file holds VALUE
	local v end
	ms; end=$((NOW + $3 * 1000))
	while :; do
		read -r v < "$1"
		[ "$v" = "$2" ] && return 0
		ms; [ "$NOW" -ge "$end" ] && return 1
		read -t 0.005 -u 9 _ || :
	done
}
drift_events() {	# CT RESOURCE: number of drift events for it so far
	grep -c "\"type\":\"drift\".*\"resource\":\"$2\"" "$TDIR/ev.$1" 2> /dev/null
}
has_events() { [ "$(drift_events "$1" "$2")" -ge "$3" ]; }	# CT RES N
file_is() { [ "$(cat "$1")" = "$2" ]; }	# FILE VALUE
follow() {	# CT: events -f -j into $TDIR/ev.CT
	actl events -f -j -n 0 "$1" > "$TDIR/ev.$1" &
	BGPIDS+=("$!")
}
pids_f() { echo "$(cgdir pids "$(ctcg "$1")")/pids.max"; }
mem_d() { cgdir memory "$(ctcg "$1")"; }
memsw=false

actl create 110 --ram 64M --numproc 20 --cpulimit 25 > /dev/null || fail "create 110"
actl create 111 > /dev/null || fail "create 111 (nothing set)"
cg_is_v2 || { [ -f "$(mem_d 110)/memory.memsw.limit_in_bytes" ] && memsw=true; }
follow 110
follow 111
sleep 0.3

# ---- no false drift: accountd's own sets, with the kernel's rounding
# (memory to pages, "-1"/max for unlimited, the CPU quota), over several
# intervals
actl set 110 --numproc unlimited --save > /dev/null || fail "set numproc unlimited"
actl set 110 --ram 100000K --cpulimit 33 --cpuunits 333 --memguarantee 50 \
    --save > /dev/null || fail "set ram/cpulimit/cpuunits/memguarantee"
actl set 110 --ram 96M --numproc 20 --cpulimit 30 --save > /dev/null || fail "set back"
sleep "$(awk -v i=$IV 'BEGIN { print 5 * i / 1000 }')"
n=$(grep -c '"type":"drift"' "$TDIR/ev.110")
[ "$n" = 0 ] || fail "drift reported after accountd's own sets: $(cat "$TDIR/ev.110")"
actl show 110 | grep -q '!=' && fail "show marks drift after a set: $(actl show 110)"
actl list -j | grep -q '"drift"' && fail "list -j has a drift object after a set"
pass "no drift over 5 intervals after set (numproc unlimited, ram 100000K, cpulimit 33, cpuunits 333, memguarantee 50% and back)"

# ---- a container accountd set nothing on: its files are not its
echo 50 > "$(pids_f 111)"
sleep "$(awk -v i=$IV 'BEGIN { print 2 * i / 1000 }')"
[ "$(drift_events 111 numproc)" = 0 ] || fail "drift on a container without settings"
actl list -o ctid,numproc | grep -q '^ *111 .*!=' && fail "list marks 111"
pass "a write to a container with nothing set is not drift"

# ---- pids.max, by a shell
f=$(pids_f 110)
ms; t0=$NOW
echo 100 > "$f" || fail "cannot write pids.max"
drift_seen 110 numproc 1 5 || fail "no drift event for numproc"
ms; dt=$((NOW - t0))
note "numproc drift event after $dt ms (sample_interval $IV ms)"
[ "$dt" -le "$IV" ] || fail "drift seen after $dt ms, more than one interval ($IV ms)"
grep '"resource":"numproc"' "$TDIR/ev.110" | grep -q '"kernel":"100".*"configured":"20".*"files":"pids.max=100".*"action":"reported"' ||
    fail "drift event: $(cat "$TDIR/ev.110")"
out=$(actl show 110 | awk '$1 == "numproc"')
echo "$out" | grep -q '100 != 20 *drifted pids.max=100' || fail "show: $out"
out=$(actl list -H -o ctid,numproc | awk '$1 == 110 { print $2 }')
[ "$out" = '100!=20' ] || fail "list numproc: $out"
actl show -j 110 | tr -d ' \n' | grep -q '"status":"drifted","drift":{"kernel":"100","configured":"20","files":{"pids.max":"100"}}' ||
    fail "show -j: no drift object: $(actl show -j 110)"
pass "pids.max=100 by hand: event within $dt ms, show '100 != 20', list '100!=20'"

sleep "$(awk -v i=$IV 'BEGIN { print 3 * i / 1000 }')"
[ "$(drift_events 110 numproc)" = 1 ] || fail "the same drift reported again: $(cat "$TDIR/ev.110")"
echo 101 > "$(pids_f 110)"
wait_for 5 has_events 110 numproc 2 || fail "no event for a second change"
pass "one event per change: not again over 3 intervals, again for 101"
wait_for 3 eval 'ls "$TDIR"/hook.* 2> /dev/null | xargs grep -l ACCT_EVENT=drift > /dev/null 2>&1' ||
    fail "the hook did not run for drift"
h=$(grep -l ACCT_RESOURCE=numproc "$TDIR"/hook.* | head -1)
grep -q '^ACCT_KERNEL=10[01]$' "$h" && grep -q '^ACCT_CONFIGURED=20$' "$h" &&
    grep -q '^ACCT_ACTION=reported$' "$h" || fail "hook environment: $(cat "$h")"
pass "the alert hook ran with ACCT_EVENT=drift"
wait_for 5 grep -q AccountdDrift "$TDIR/am.out" || fail "no Alertmanager post for drift"
grep 'AccountdDrift' "$TDIR/am.out" | grep -q '"container":"110","resource":"numproc"' ||
    fail "Alertmanager post: $(grep AccountdDrift "$TDIR/am.out")"
pass "Alertmanager got an AccountdDrift alert for 110/numproc"

# ---- memory limit, by a shell (v1: memsw first, as runtimes do)
big=$((256 * 1024 * 1024))
if cg_is_v2; then
	echo $big > "$(mem_d 110)/memory.max" || fail "write memory.max"
else
	$memsw && { echo $big > "$(mem_d 110)/memory.memsw.limit_in_bytes" || fail "write memsw"; }
	echo $big > "$(mem_d 110)/memory.limit_in_bytes" || fail "write memory.limit_in_bytes"
fi
wait_for 5 has_events 110 physpages 1 || fail "no drift event for the memory limit"
out=$(actl show 110 | awk '$1 == "physpages"')
echo "$out" | grep -q '0:256M != 0:96M *drifted memory' || fail "show physpages: $out"
out=$(actl list -H -o ctid,ram | awk '$1 == 110 { print $2 }')
[ "$out" = '256M!=96M' ] || fail "list ram: $out"
pass "memory limit 256M by hand: show '0:256M != 0:96M', list '256M!=96M'"

# ---- CPU quota
if cg_is_v2; then
	echo "50000 100000" > "$(cgdir cpu "$(ctcg 110)")/cpu.max" || fail "write cpu.max"
else
	echo 50000 > "$(cgdir cpu "$(ctcg 110)")/cpu.cfs_quota_us" || fail "write quota"
fi
wait_for 5 has_events 110 cpulimit 1 || fail "no drift event for the CPU quota"
out=$(actl list -H -o ctid,cpulimit | awk '$1 == 110 { print $2 }')
[ "$out" = '50%!=30%' ] || fail "list cpulimit: $out"
pass "CPU quota 50% by hand: list '50%!=30%'"

# ---- accepting the kernel's value is a set
actl set 110 --numproc 101 > /dev/null || fail "set numproc 101"
out=$(actl show 110 | awk '$1 == "numproc"')
echo "$out" | grep -q '!=' && fail "still drifted after set: $out"
pass "acctctl set --numproc 101 clears the numproc drift"

# ---- restore mode
# values set without --save outlive a restart (state_dir/live, like the
# kernel's): put the saved one back first, so the start applies it
actl set 110 --numproc 20 > /dev/null || fail "set numproc 20"
stop_daemon
start_daemon -o sample_interval=$IV -o drift=restore
follow 110
sleep 0.3
[ "$(cat "$(pids_f 110)")" = 20 ] || fail "saved numproc not applied at start"
f=$(pids_f 110)
ms; t0=$NOW
echo 100 > "$f"
file_seen "$f" 20 5 || fail "pids.max not restored: $(cat "$f")"
ms; dt=$((NOW - t0))
wait_for 3 has_events 110 numproc 1 || fail "no event for the restore"
grep '"resource":"numproc"' "$TDIR/ev.110" | grep -q '"kernel":"100","configured":"20".*"action":"restored"' ||
    fail "restore event: $(cat "$TDIR/ev.110")"
[ "$dt" -le "$IV" ] || fail "restored after $dt ms, more than one interval"
out=$(actl show 110 | awk '$1 == "numproc"')
echo "$out" | grep -q '!=' && fail "show after restore: $out"
pass "drift = restore: pids.max back to 20 after $dt ms, event action restored"
if cg_is_v2; then
	echo $big > "$(mem_d 110)/memory.max"
	f="$(mem_d 110)/memory.max"
else
	$memsw && echo $big > "$(mem_d 110)/memory.memsw.limit_in_bytes"
	echo $big > "$(mem_d 110)/memory.limit_in_bytes"
	f="$(mem_d 110)/memory.limit_in_bytes"
fi
wait_for 5 file_is "$f" $((96 * 1024 * 1024)) || fail "memory limit not restored: $(cat "$f")"
pass "drift = restore: the memory limit back to 96M"
sleep "$(awk -v i=$IV 'BEGIN { print 3 * i / 1000 }')"
[ "$(drift_events 110 numproc)" = 1 ] || fail "the restore itself raised drift: $(cat "$TDIR/ev.110")"
pass "accountd's own restore is not drift (one event over 3 intervals)"

# ---- runc update --pids-limit on a runc container under the test parent
command -v runc > /dev/null || { note "SKIP runc part: runc is not installed"; exit 0; }
BB=$(command -v busybox) || { note "SKIP runc part: no busybox"; exit 0; }
file -L "$BB" 2> /dev/null | grep -q 'statically linked' ||
    { note "SKIP runc part: busybox is not static (busybox-static)"; exit 0; }
B="$TDIR/bundle"
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/sys" "$B/rootfs/tmp"
cp "$BB" "$B/rootfs/bin/busybox"
ln -s busybox "$B/rootfs/bin/sleep"
ln -s busybox "$B/rootfs/bin/sh"
(cd "$B" && runc spec) || fail "runc spec"
RCG="$PARENT/runc-rc1"
sed -i -e 's/"terminal": true/"terminal": false/' \
    -e 's/"sh"$/"sleep", "600"/' \
    -e "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"/$RCG\",|" "$B/config.json"
RROOT="$TDIR/runc"
rcleanup() { runc --root "$RROOT" delete -f acctd-drift-rc1 > /dev/null 2>&1; }
if ! runc --root "$RROOT" run -d --bundle "$B" acctd-drift-rc1 > "$TDIR/runc.out" 2>&1 < /dev/null; then
	rcleanup
	if [ -n "${ACCT_IN_VM:-}" ] || grep -qiE 'permission|not supported|no such' "$TDIR/runc.out"; then
		note "SKIP runc part: runc cannot run a container here: $(tail -1 "$TDIR/runc.out")"
		exit 0
	fi
	fail "runc run: $(cat "$TDIR/runc.out")"
fi
trap 'rcleanup; cleanup' EXIT
[ -d "$(cgdir pids "$RCG")" ] || fail "runc did not make $RCG"
actl create rc1 --cgroup "/$RCG" --numproc 20 > /dev/null || fail "create rc1 (adopt the runc cgroup)"
wait_for 5 file_is "$(cgdir pids "$RCG")/pids.max" 20 || fail "numproc 20 not applied to the runc container"
follow rc1
sleep 0.3
t0=$(now_ms)
runc --root "$RROOT" update --pids-limit 100 acctd-drift-rc1 || fail "runc update"
wait_for 5 has_events rc1 numproc 1 || fail "no drift event after runc update"
dt=$(( $(now_ms) - t0 ))
# restore mode is on: the value goes back and the event says so
wait_for 5 file_is "$(cgdir pids "$RCG")/pids.max" 20 || fail "runc's pids.max not restored"
grep -q '"kernel":"100","configured":"20".*"action":"restored"' "$TDIR/ev.rc1" ||
    fail "runc drift event: $(cat "$TDIR/ev.rc1")"
pass "runc update --pids-limit 100: drift event within $dt ms (including runc), restored to 20"
stop_daemon
start_daemon -o sample_interval=$IV
follow rc1
sleep 0.3
runc --root "$RROOT" update --pids-limit 100 acctd-drift-rc1 || fail "runc update"
wait_for 5 has_events rc1 numproc 1 || fail "no drift event after runc update (report)"
out=$(actl list -H -o ctid,numproc | awk '$1 == "rc1" { print $2 }')
[ "$out" = '100!=20' ] || fail "list after runc update: $out"
pass "runc update --pids-limit 100 (report): list shows '100!=20'"
rcleanup
