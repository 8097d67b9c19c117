#!/bin/bash
# Real podman (with runc) reading the shipped hooks.d definition,
# packaging/oci-hooks.d/accountd.json, with only the hook's path and
# configuration file put in: one definition for both stages, chosen by
# the containers' org.openvz.accountd annotations.
# - annotation ct=pm1, saved numproc 5, an entrypoint that forks 20
#   children: exactly 4 fork, in 5 of 5 runs; pm1 stays, stopped;
# - annotation numproc=3 alone: 2 children; the container (named by its
#   short id) is forgotten at its end;
# - no accountd annotation: the hook does not run (20 children);
# - a bad annotation: podman refuses to start the container.
# podman's storage, run and temporary folders are the test's own; its
# containers go under the test's parent (--cgroup-parent).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runc.sh"
require_cgroups
[ "${ACCT_IN_VM:-0}" = 1 ] &&
    skip "podman is not in the VM image (runtime-runc.sh covers the OCI hook there)"
PODMAN=$(command -v podman) || skip "no podman (scripts/deps.sh installs it)"
require_runc	# podman runs runc here: crun refuses hybrid cgroups
prepare_tdir
pm_cleanup() {	# containers left by a failure, and podman's storage mount
	local id m
	pm ps -aq 2> /dev/null | while read -r id; do pm rm -f "$id" > /dev/null 2>&1; done
	awk -v t="$TDIR/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
	    while read -r m; do umount "$m"; done
}
trap 'rc=$?; pm_cleanup; (exit $rc); cleanup' EXIT

mkdir -p "$TDIR/ct" "$TDIR/hooks.d"
cat > "$TDIR/accountd.conf" <<EOF
run_dir = $TDIR/run
hook_failure = refuse
EOF
printf 'NUMPROC="5:5"\n' > "$TDIR/ct/pm1.conf"
start_daemon -f "$TDIR/accountd.conf"
mk_rootfs "$TDIR/rootfs"
# the shipped definition, pointed at this build's hook and configuration
sed -e "s|\"/usr/libexec/accountd/accountd-hook\"|\"$HOOK\"|" \
    -e "s|\"accountd-hook\", \"oci\"|\"accountd-hook\", \"-f\", \"$TDIR/accountd.conf\", \"oci\"|" \
    "$ACCT_SRCDIR/packaging/oci-hooks.d/accountd.json" > "$TDIR/hooks.d/accountd.json"
grep -q "$TDIR/accountd.conf" "$TDIR/hooks.d/accountd.json" ||
    fail "could not adapt packaging/oci-hooks.d/accountd.json"

pm() {
	"$PODMAN" --root "$TDIR/pm-store" --runroot "$TDIR/pm-run" \
	    --tmpdir "$TDIR/pm-tmp" --runtime "$RUNC" --cgroup-manager cgroupfs \
	    --events-backend file --hooks-dir "$TDIR/hooks.d" "$@"
}
# podman's default rlimits exceed this host's hard limits: ask for less
pm_run() {	# podman run options... -- command...
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	timeout 120 "$PODMAN" --root "$TDIR/pm-store" --runroot "$TDIR/pm-run" \
	    --tmpdir "$TDIR/pm-tmp" --runtime "$RUNC" --cgroup-manager cgroupfs \
	    --events-backend file --hooks-dir "$TDIR/hooks.d" \
	    run --rm --network none --ulimit nofile=1024:1024 \
	    --ulimit nproc=16384:16384 --cgroup-parent="/$PARENT/podman" \
	    -v /usr:/usr:ro -v "$HELPERS:/helpers:ro" "${opts[@]}" \
	    --rootfs "$TDIR/rootfs" "$@" < /dev/null
}

for i in 1 2 3 4 5; do
	out=$(pm_run --annotation org.openvz.accountd.ct=pm1 -- \
	    /helpers/forker 20 2> "$TDIR/err") ||
	    fail "run $i: podman failed: $(cat "$TDIR/err")"
	[ "$out" = "ok=4 failed=16 first_errno=11" ] ||
	    fail "run $i: fork burst under pm1's saved numproc 5 gave '$out'"
done
pass "podman, annotation ct=pm1: exactly 4 children under the saved numproc 5, 5 of 5 runs"
[ "$(actl list -a -H -o ctid,status,origin | awk '$1 == "pm1" { print $2, $3 }')" = "stopped hook" ] ||
    fail "pm1 should be kept, stopped, after poststop: $(actl list -a -o ctid,status,origin)"
pass "poststop (the same definition, stage from the state): pm1 kept, stopped"

out=$(pm_run --annotation org.openvz.accountd.numproc=3 -- \
    /helpers/forker 10 2> "$TDIR/err") || fail "podman failed: $(cat "$TDIR/err")"
[ "$out" = "ok=2 failed=8 first_errno=11" ] ||
    fail "annotation numproc=3: got '$out', expected ok=2 failed=8"
pass "annotation numproc=3: exactly 2 children"
n=$(actl list -a -H -o ctid | grep -vcx pm1)
[ "$n" = 0 ] || fail "a container named by its id is left after poststop: $(actl list -a)"
pass "poststop: the container named by its short id is forgotten"

out=$(pm_run -- /helpers/forker 20 2> "$TDIR/err") ||
    fail "podman without annotations failed: $(cat "$TDIR/err")"
[ "$out" = "ok=20 failed=0 first_errno=0" ] ||
    fail "without an accountd annotation the hook should not run: '$out'"
pass "no accountd annotation: the definition does not apply (20 children)"

pm_run --annotation org.openvz.accountd.ram=banana -- \
    /bin/sh -c 'echo ran' > "$TDIR/out" 2> "$TDIR/err" &&
    fail "podman started a container whose annotation ram=banana is bad"
grep -q "ran" "$TDIR/out" && fail "the payload ran despite hook_failure = refuse"
grep -q "accountd-hook: .*annotation org.openvz.accountd.ram: bad value for --ram: 'banana'" "$TDIR/err" ||
    fail "podman's error does not show the hook's line: $(cat "$TDIR/err")"
pass "refuse: ram=banana keeps the payload from running; podman shows the hook's line"
