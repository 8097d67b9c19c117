#!/bin/bash
# A set reads only what it must (issue 17): a file its plan leaves alone is
# not read back for drift, the live file's text is kept from the last
# write.  What a set must still do, checked here: a value changed behind
# accountd's back in a file the last set left alone is drift, and the next
# set that names it writes it again; after the container's cgroup is made
# again under the same name, a set writes what the new cgroup needs and
# its files are followed (an outside change is drift); an unsaved value
# set after that survives a restart of accountd (the live file).
. "$(dirname "$0")/lib.sh"
require_cgroups
IV=500		# sample_interval, ms
start_daemon -o sample_interval=$IV

rt="$PARENT/runtime/k1"
pids_f() { echo "$(cgdir pids "$rt")/pids.max"; }
pids_is() { [ "$(cat "$(pids_f)")" = "$1" ]; }
drifted() { actl show k1 | grep -q '!='; }
settled() { ! drifted; }
intervals() { sleep "$(awk -v i=$IV -v n="$1" 'BEGIN { print n * i / 1000 }')"; }

mkcg_runtime "$rt"
actl create k1 --cgroup "/$rt" --numproc 100 --cpuunits 500 > /dev/null ||
    fail "create k1 on /$rt"
pids_is 100 || fail "numproc not applied: $(cat "$(pids_f)")"

# ---- a file the set left alone: what it holds is still followed
actl set k1 --numproc 100 --cpuunits 600 || fail "set (pids.max unchanged)"
intervals 3
drifted && fail "drift after a set that left pids.max alone: $(actl show k1)"
echo 150 > "$(pids_f)" || fail "cannot write pids.max"
wait_for 5 drifted || fail "an outside write to pids.max (left alone by the last set) is not drift"
actl show k1 | grep -q '150 != 100' || fail "show: $(actl show k1 | grep numproc)"
pass "a file the last set left alone: an outside write to it is drift"
actl set k1 --numproc 100 --cpuunits 700 || fail "set numproc 100 again"
pids_is 100 || fail "the set did not write pids.max back: $(cat "$(pids_f)")"
wait_for 5 settled || fail "still drifted after the set: $(actl show k1)"
pass "the next set naming it writes the value changed behind accountd's back"

# ---- the cgroup made again under the same name
actl set k1 --numproc 120 || fail "set numproc 120 (not saved)"
rmcg_runtime "$rt"
wait_for 5 sh -c "\"$ACCTCTL\" list -S -H -o ctid | grep -qx k1" ||
    fail "accountd did not notice the container stop"
mkcg_runtime "$rt"
wait_for 5 pids_is 100 ||
    fail "the saved numproc not applied to the new cgroup: $(cat "$(pids_f)")"
pass "the cgroup made again: the saved numproc (100), not the unsaved 120"
actl set k1 --numproc 100 --cpuunits 800 || fail "set on the new cgroup"
intervals 3
drifted && fail "drift after a set on the new cgroup: $(actl show k1)"
echo 170 > "$(pids_f)" || fail "cannot write the new pids.max"
wait_for 5 drifted || fail "an outside write to the new cgroup's pids.max is not drift"
actl set k1 --numproc 130 || fail "set numproc 130 on the new cgroup"
pids_is 130 || fail "the set did not write 130: $(cat "$(pids_f)")"
wait_for 5 settled || fail "still drifted after the set: $(actl show k1)"
pass "the new cgroup: its files followed, a set writes what it needs"

# ---- the unsaved value survives a restart of accountd
stop_daemon
echo 90 > "$(pids_f)" || fail "cannot reset pids.max by hand"
start_daemon -o sample_interval=$IV
wait_for 5 pids_is 130 ||
    fail "the unsaved numproc not applied again at start: $(cat "$(pids_f)")"
actl show k1 | grep -E '^  numproc +130 \(not saved\)' > /dev/null ||
    fail "show after the restart: $(actl show k1 | grep numproc)"
pass "accountd restarted: the unsaved numproc 130 of this cgroup applied again"
