#!/bin/bash
# Defect 8 of issue 14: `kill -9` of accountd during `set` left limits
# partly applied (cpu quota, shares, cpuset), which survived a restart
# while accountd reported them unset, and values set without --save were
# unknown after a restart.  Now every plan is journaled before its first
# write and rolled back at the next start, and the live values are kept
# in state_dir/live.  ACCOUNTD_TEST_APPLY_DELAY_MS (tests only) makes
# accountd wait after each write, so the kill lands between two writes.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups

if cg_is_v2; then
	units() { cat "$(cgdir cpu "$(ctcg c1)")/cpu.weight"; }
	OLD_UNITS=100 NEW_UNITS=50
else
	units() { cat "$(cgdir cpu "$(ctcg c1)")/cpu.shares"; }
	OLD_UNITS=1024 NEW_UNITS=512
fi
cpus() { cat "$(cgdir cpuset "$(ctcg c1)")/cpuset.cpus"; }
quota() { cpu_quota_pct "$(ctcg c1)"; }
state() { echo "units=$(units) quota=$(quota) cpus=$(cpus)"; }
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (a cpumask narrower than the host's)"
[ -d "$(cgdir cpuset /)" ] || skip "no cpuset controller"

export ACCOUNTD_TEST_APPLY_DELAY_MS=800
start_daemon
actl create c1 --cpulimit 20 --cpuunits 1000 > /dev/null || fail "create"
old_cpus=$(cpus)
OLD="units=$OLD_UNITS quota=20 cpus=$old_cpus"
[ "$(state)" = "$OLD" ] || fail "start state: $(state), wanted $OLD"
[ "$old_cpus" != 0 ] || skip "the parent cgroup has only CPU 0"

# the set writes units, then the quota, then cpuset.cpus, 0.8 s apart
actl set c1 --cpuunits 500 --cpulimit 50 --cpumask 0 > /dev/null 2>&1 &
setpid=$!; BGPIDS+=("$setpid")
wait_for 5 sh -c "[ \"\$(cat '$(cgdir cpu "$(ctcg c1)")/$(cg_is_v2 && echo cpu.weight || echo cpu.shares)')\" = $NEW_UNITS ]" ||
    fail "the set never began: $(state)"
kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=
mid=$(state)
[ "$mid" != "$OLD" ] && [ "$(cpus)" = "$old_cpus" ] ||
    fail "the kill did not land in the middle of the plan: $mid"
note "killed with the kernel at $mid"
[ -s "$TDIR/state/journal" ] || fail "no journal left behind by the interrupted set"

unset ACCOUNTD_TEST_APPLY_DELAY_MS
start_daemon
[ "$(state)" = "$OLD" ] || fail "after the restart: $(state), wanted all old: $OLD"
[ ! -s "$TDIR/state/journal" ] || fail "the journal still holds the change"
grep -q 'c1: a change was interrupted.*rolled back' "$TDIR/daemon.log" || fail "no log line"
show=$(actl show c1)
echo "$show" | grep -Eq '^  cpulimit +20% ' || fail "show cpulimit: $show"
echo "$show" | grep -Eq '^  cpuunits +1000 ' || fail "show cpuunits: $show"
echo "$show" | grep -q '^  cpumask' && fail "show reports a cpumask: $(echo "$show" | grep cpumask)"
pass "kill -9 mid-plan: after the restart every file holds its old value, and show agrees"

# a set answered, killed before the journal is emptied (after the
# reply): its live file says it was done, so nothing is rolled back
stop_daemon
export ACCOUNTD_TEST_APPLY_DELAY_MS=1500
start_daemon
actl set c1 --cpulimit 30 > /dev/null || fail "set (answered before the journal is emptied)"
kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=
[ -s "$TDIR/state/journal" ] || fail "the kill did not land before the journal was emptied"
unset ACCOUNTD_TEST_APPLY_DELAY_MS
start_daemon
[ "$(quota)" = 30 ] || fail "an answered set was rolled back: $(state)"
[ ! -s "$TDIR/state/journal" ] || fail "the journal still holds the change"
grep -q 'c1: the last change was complete' "$TDIR/daemon.log" || fail "no log line for the change done"
actl show c1 | grep -Eq '^  cpulimit +30% \(not saved\)' || fail "show after restart: $(actl show c1 | grep cpulimit)"
pass "kill -9 after the reply, before the journal is emptied: the change stays, show agrees"

# values set without --save survive a restart of accountd, as live values
actl set c1 --cpulimit 35 --cpumask 0 > /dev/null || fail "set without --save"
# (the same set again writes nothing: no journal, the live file untouched)
live=$TDIR/state/live/c1
[ -s "$live" ] || fail "no live file for the values not saved"
m0=$(stat -c %.9Y "$live")
actl set c1 --cpulimit 35 --cpumask 0 > /dev/null || fail "the same set again"
[ "$(stat -c %.9Y "$live")" = "$m0" ] || fail "the same set again rewrote the live file"
[ ! -s "$TDIR/state/journal" ] || fail "the same set again left a journal"
kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=
start_daemon
[ "$(quota)" = 35 ] && [ "$(cpus)" = 0 ] || fail "kernel after restart: $(state)"
show=$(actl show c1)
echo "$show" | grep -Eq '^  cpulimit +35% \(not saved\)' || fail "show after restart: $(echo "$show" | grep cpulimit)"
echo "$show" | grep -Eq '^  cpumask +0 \(not saved\)' || fail "show cpumask after restart: $(echo "$show" | grep cpumask)"
grep -q '^CPULIMIT="20"' "$TDIR/ct/c1.conf" || fail "the unsaved value reached the file"
pass "unsaved values: after a restart, show reports what the kernel holds (not saved)"

# a container made again while accountd was down starts from its saved set
stop_daemon
rmcg_runtime "$(ctcg c1)"
start_daemon
[ "$(quota)" = 20 ] || fail "a new cgroup got the old live values: $(state)"
actl show c1 | grep -Eq '^  cpulimit +20% ' || fail "show after the container was made again"
pass "a cgroup made again forgets the unsaved values"

# a journal that cannot be written does not stop a change
stop_daemon
rm -f "$TDIR/state/journal"; mkdir "$TDIR/state/journal"
start_daemon
actl set c1 --cpulimit 45 > /dev/null || fail "set without a writable journal"
[ "$(quota)" = 45 ] || fail "not applied: $(state)"
grep -q "cannot write the journal .*changes are made without it" "$TDIR/daemon.log" ||
    fail "no warning for the journal"
pass "an unwritable journal is logged, and the change made"
