#!/bin/bash
# CPUs and memory nodes of a new container.  v1: a new cpuset cgroup has
# none, and no task can join it until accountd gives it its parent's; on a
# level accountd made itself below the container parent it sets
# cgroup.clone_children, so the kernel copies them at mkdir (no
# cpuset.cpus write, and no rebuild of the scheduler domains, at each
# create), and it never sets it on a level it did not make.  Both kernels:
# the container runs on its parent's CPUs, and --cpumask still narrows
# them, at create and by set.
. "$(dirname "$0")/lib.sh"
require_cgroups
if ! cg_is_v2; then
	[ -w "$CGROUP_ROOT/cpuset" ] || skip "no writable cgroup v1 cpuset hierarchy"
elif ! grep -qw cpuset "$CGROUP_ROOT/cgroup.controllers"; then
	skip "cgroup v2 without the cpuset controller"
fi
prepare_tdir

eff() {	# RELPATH FILE(cpus|mems): the CPUs or nodes it runs on
	if cg_is_v2; then
		cat "$(cgdir cpuset "$1")/cpuset.$2.effective"
	else
		cat "$(cgdir cpuset "$1")/cpuset.$2"
	fi
}
clone() { cat "$(cgdir cpuset "$1")/cgroup.clone_children"; }
# the CPUs a task in CT is allowed, as the kernel reports them to it
allowed() { actl exec "$1" -- sh -c 'sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status'; }

# a parent the host made (here the test stands in for it): untouched
mkcg_runtime "$PARENT/host"
if ! cg_is_v2; then
	root_clone=$(cat "$CGROUP_ROOT/cpuset/cgroup.clone_children")
	[ "$(clone "$PARENT/host")" = 0 ] || fail "a new cgroup has clone_children set"
fi
start_daemon -o cgroup_parent="$PARENT/host"
actl create h1 > /dev/null || fail "create h1 under the host's parent"
[ "$(eff "$PARENT/host/h1" cpus)" = "$(eff "$PARENT/host" cpus)" ] &&
    [ "$(eff "$PARENT/host/h1" mems)" = "$(eff "$PARENT/host" mems)" ] ||
    fail "h1 runs on CPUs '$(eff "$PARENT/host/h1" cpus)' nodes '$(eff "$PARENT/host/h1" mems)', its parent has '$(eff "$PARENT/host" cpus)' '$(eff "$PARENT/host" mems)'"
[ "$(allowed h1)" = "$(eff "$PARENT/host" cpus)" ] || fail "a task in h1 may use CPUs '$(allowed h1)'"
if ! cg_is_v2; then
	[ "$(clone "$PARENT/host")" = 0 ] ||
	    fail "accountd set clone_children on a parent it did not make"
	[ "$(cat "$CGROUP_ROOT/cpuset/cgroup.clone_children")" = "$root_clone" ] ||
	    fail "the host's root cpuset's clone_children changed"
fi
actl destroy h1 > /dev/null || fail "destroy h1"
stop_daemon
pass "under a parent accountd did not make: h1 gets its CPUs ($(eff "$PARENT/host" cpus)) and nodes, the parent is unchanged"

# a parent accountd makes (one level, as the default cgroup_parent)
OWN=$PARENT/own
start_daemon -o cgroup_parent="$OWN"
actl create c1 > /dev/null || fail "create c1"
if ! cg_is_v2; then
	[ "$(clone "$OWN")" = 1 ] ||
	    fail "no clone_children on the parent accountd made: $(clone "$OWN")"
fi
cpus=$(eff "$PARENT" cpus) mems=$(eff "$PARENT" mems)
for lv in "$OWN" "$OWN/c1"; do
	[ "$(eff "$lv" cpus)" = "$cpus" ] && [ "$(eff "$lv" mems)" = "$mems" ] ||
	    fail "$lv runs on CPUs '$(eff "$lv" cpus)' nodes '$(eff "$lv" mems)', want '$cpus' '$mems'"
done
[ "$(allowed c1)" = "$cpus" ] || fail "a task in c1 may use CPUs '$(allowed c1)', want $cpus"
pass "under a parent accountd made: c1 runs on CPUs $cpus, nodes $mems"

actl create c2 --cpumask 0 > /dev/null || fail "create c2 --cpumask 0"
[ "$(eff "$OWN/c2" cpus)" = 0 ] || fail "c2 --cpumask 0: cpuset has '$(eff "$OWN/c2" cpus)'"
[ "$(allowed c2)" = 0 ] || fail "a task in c2 may use CPUs '$(allowed c2)', want 0"
[ "$(eff "$OWN" cpus)" = "$cpus" ] || fail "c2's mask changed its parent: $(eff "$OWN" cpus)"
if [ "$(nproc)" -ge 2 ]; then
	actl set c2 --cpumask 1 > /dev/null || fail "set c2 --cpumask 1"
	[ "$(eff "$OWN/c2" cpus)" = 1 ] && [ "$(allowed c2)" = 1 ] ||
	    fail "c2 --cpumask 1: cpuset '$(eff "$OWN/c2" cpus)', a task may use '$(allowed c2)'"
	actl set c2 --cpumask all > /dev/null || fail "set c2 --cpumask all"
	[ "$(allowed c2)" = "$cpus" ] || fail "c2 --cpumask all: a task may use '$(allowed c2)'"
	pass "--cpumask: c2 on CPU 0 at create, 1 by set, then all ($cpus)"
else
	pass "--cpumask: c2 on CPU 0 (one CPU: no set to another)"
fi
actl destroy c1 > /dev/null && actl destroy c2 > /dev/null || fail "destroy"
