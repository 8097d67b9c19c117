#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# (a) the guest runs pure cgroup v2 with memory, cpu, io and pids enabled for children
set -euo pipefail
# shellcheck source=lib-selftest.sh
. "$(dirname "$0")/lib-selftest.sh"
need_vm
CG=${CGROUP_ROOT:?}

grep " $CG cgroup2 " /proc/mounts || fail "no cgroup2 mounted on $CG"
if grep ' cgroup ' /proc/mounts; then fail "cgroup v1 hierarchies are mounted"; fi
echo "cgroup.controllers:     $(cat "$CG/cgroup.controllers")"
echo "cgroup.subtree_control: $(cat "$CG/cgroup.subtree_control")"
for c in memory cpu io pids; do
    grep -qw "$c" "$CG/cgroup.subtree_control" || fail "$c not in $CG/cgroup.subtree_control"
done

cg=$CG/selftest-cg2-$$
mkdir "$cg"
trap 'rmdir "$cg" 2>/dev/null || true' EXIT
for f in memory.max memory.swap.max memory.events cpu.max cpu.weight io.max io.weight pids.max; do
    [ -f "$cg/$f" ] || fail "child cgroup has no $f"
done
echo 64M > "$cg/memory.max"
echo "50000 100000" > "$cg/cpu.max"
echo 300 > "$cg/cpu.weight"
echo 10 > "$cg/pids.max"
[ "$(cat "$cg/memory.max")" = 67108864 ] || fail "memory.max reads back $(cat "$cg/memory.max")"
[ "$(cat "$cg/cpu.max")" = "50000 100000" ] || fail "cpu.max reads back $(cat "$cg/cpu.max")"
[ "$(cat "$cg/cpu.weight")" = 300 ] || fail "cpu.weight reads back $(cat "$cg/cpu.weight")"
[ "$(cat "$cg/pids.max")" = 10 ] || fail "pids.max reads back $(cat "$cg/pids.max")"
# a process moves in and its pids are counted
bash -c 'echo $$ > "$1/cgroup.procs"; [ "$(cat "$1/pids.current")" -ge 1 ]' _ "$cg" \
    || fail "could not run a process in $cg"
echo "child cgroup $cg: memory.max, cpu.max, cpu.weight, pids.max set and read back"
