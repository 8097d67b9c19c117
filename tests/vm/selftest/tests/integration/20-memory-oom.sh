#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# (b) memory.max=32M: a process that touches 100 MiB is OOM-killed, memory.events counts it;
#     with swap on, the same limit plus memory.swap.max=max lets 64 MiB survive (swapped out)
set -euo pipefail
# shellcheck source=lib-selftest.sh
. "$(dirname "$0")/lib-selftest.sh"
need_vm
CG=${CGROUP_ROOT:?}
HOG=${ACCT_HELPERS:?}/memhog
[ -x "$HOG" ] || fail "no $HOG"

cg=$CG/selftest-oom-$$
mkdir "$cg"
trap 'rmdir "$cg" 2>/dev/null || true' EXIT
echo 32M > "$cg/memory.max"
# no swap for this group, whatever the VM's swap mode: the hog must not escape to swap
[ -f "$cg/memory.swap.max" ] && echo 0 > "$cg/memory.swap.max"
echo "memory.max=$(cat "$cg/memory.max") memory.swap.max=$(cat "$cg/memory.swap.max" 2>/dev/null || echo n/a)"

run_in_cg() { bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$cg" "$@"; }

# control: 16 MiB fits
run_in_cg "$HOG" 16 || fail "memhog 16 was not allowed to run in 32M"
[ "$(kv "$cg/memory.events" oom_kill)" = 0 ] || fail "oom_kill already counted after 16 MiB"

rc=0
run_in_cg "$HOG" 100 || rc=$?
echo "memhog 100: exit status $rc"
echo "memory.events: $(tr '\n' ' ' < "$cg/memory.events")"
[ $rc = 137 ] || fail "expected SIGKILL (status 137), got $rc"
n=$(kv "$cg/memory.events" oom_kill)
[ "$n" -ge 1 ] || fail "memory.events oom_kill is $n"
[ "$(kv "$cg/memory.events" max)" -ge 1 ] || fail "memory.events max is 0"
echo "OOM kill in a 32M cgroup: ok (oom_kill=$n)"

# with swap on (--swap disk or zram), a group with swap allowed survives the same overcommit
if [ "${ACCT_SWAP_MODE:-none}" != none ]; then
    cg2=$CG/selftest-swap-$$
    mkdir "$cg2"
    trap 'rmdir "$cg" "$cg2" 2>/dev/null || true' EXIT
    echo 32M > "$cg2/memory.max"
    echo max > "$cg2/memory.swap.max"
    out0=$(awk '$1 == "pswpout" { print $2 }' /proc/vmstat)
    bash -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 64' _ "$cg2" "$HOG" || fail "memhog 64 with swap allowed failed"
    out1=$(awk '$1 == "pswpout" { print $2 }' /proc/vmstat)
    echo "swap ($ACCT_SWAP_MODE): memhog 64 survived in 32M with memory.swap.max=max; pswpout +$((out1 - out0)) pages;" \
         "memory.events: $(tr '\n' ' ' < "$cg2/memory.events")"
    [ $((out1 - out0)) -gt 0 ] || fail "nothing was swapped out"
    [ "$(kv "$cg2/memory.events" oom_kill)" = 0 ] || fail "OOM kill despite swap"
fi
