#!/bin/bash
# Real LXC with accountd-hook as lxc.hook.start-host and
# lxc.hook.post-stop: the limits are in force before the container's init
# runs.
# - saved numproc 5, an init that forks 20 children: exactly 4 fork, in
#   20 of 20 runs (without the hook, all 20 do);
# - -p numproc=3 on the hook's command line sets a limit for a container
#   without a CTID.conf, which post-stop then forgets; the one with a
#   CTID.conf stays, stopped;
# - hook_failure = refuse: a bad -p value keeps init from running.
# The containers' cgroups go under the test's parent
# (lxc.cgroup.dir.container/monitor), not LXC's default /lxc.payload.NAME.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runc.sh"
require_cgroups
[ "${ACCT_IN_VM:-0}" = 1 ] &&
    skip "LXC is not in the VM image (liblxc, lxc-start and its config are not shipped; runtime-runc.sh covers the OCI path there)"
command -v lxc-start > /dev/null || skip "no lxc-start (scripts/deps.sh installs lxc)"
require_rootfs
prepare_tdir
# LXC keeps a lock folder per container path under /run/lxc/lock
trap 'rc=$?; rm -rf "/run/lxc/lock$TDIR"; (exit $rc); cleanup' EXIT

mkdir -p "$TDIR/ct" "$TDIR/lxc"
cat > "$TDIR/accountd.conf" <<EOF
run_dir = $TDIR/run
hook_failure = refuse
EOF
printf 'NUMPROC="5:5"\n' > "$TDIR/ct/lx1.conf"
start_daemon -f "$TDIR/accountd.conf"
mk_rootfs "$TDIR/rootfs"

# a container NAME whose init runs /out/run.sh; HOOK (yes|no) and the
# hook's extra arguments
mk_lxc() {	# NAME HOOK [HOOK-ARGS...]
	local n=$1 hook=$2 d=$TDIR/lxc/$1
	shift 2
	mkdir -p "$d" "$TDIR/out-$n"
	cat > "$d/config" <<-EOF
	lxc.uts.name = $n
	lxc.rootfs.path = dir:$TDIR/rootfs
	lxc.mount.entry = /usr usr none bind,ro 0 0
	lxc.mount.entry = $HELPERS helpers none bind,ro 0 0
	lxc.mount.entry = $TDIR/out-$n out none bind 0 0
	lxc.mount.auto = proc:mixed
	lxc.net.0.type = none
	lxc.console.path = none
	lxc.tty.max = 0
	lxc.pty.max = 0
	lxc.init.cmd = /out/run.sh
	lxc.cgroup.dir.container = $PARENT/lxc-$n
	lxc.cgroup.dir.monitor = $PARENT/lxcmon-$n
	lxc.cgroup.dir.monitor.pivot = $PARENT/lxcpivot
	EOF
	if [ "$hook" = yes ]; then
		cat >> "$d/config" <<-EOF
		lxc.hook.start-host = $HOOK -f $TDIR/accountd.conf -t 3 $* lxc
		lxc.hook.post-stop = $HOOK -f $TDIR/accountd.conf -t 3 lxc
		EOF
	fi
}
payload() {	# NAME COMMAND: init execs it (output in out-NAME/res), so that
		# the container holds one task when it starts
	printf '#!/bin/sh\nexec %s > /out/res 2>&1\n' "$2" > "$TDIR/out-$1/run.sh"
	chmod +x "$TDIR/out-$1/run.sh"
}
lxc_run() {	# NAME: in the foreground, until init exits
	timeout 60 lxc-start -n "$1" -P "$TDIR/lxc" -F -l INFO \
	    -o "$TDIR/lxc-$1.log" < /dev/null > /dev/null 2>&1
}

mk_lxc lx1 yes
payload lx1 "/helpers/forker 20"
for i in $(seq 1 20); do
	rm -f "$TDIR/out-lx1/res"
	lxc_run lx1 || fail "run $i: lxc-start failed: $(tail -5 "$TDIR/lxc-lx1.log")"
	out=$(cat "$TDIR/out-lx1/res" 2> /dev/null)
	[ "$out" = "ok=4 failed=16 first_errno=11" ] ||
	    fail "run $i: init's fork burst under saved numproc 5 gave '$out', expected ok=4 failed=16 first_errno=11"
done
pass "LXC init fork burst, saved numproc 5: exactly 4 children in 20 of 20 runs"
[ "$(actl list -a -H -o ctid,status,origin | awk '$1 == "lx1" { print $2, $3 }')" = "stopped hook" ] ||
    fail "lx1 (with a CTID.conf) should be kept, stopped, after post-stop: $(actl list -a -o ctid,status,origin)"
pass "post-stop: lx1 (it has a CTID.conf) is kept, stopped"

mk_lxc lx0 no
payload lx0 "/helpers/forker 20"
lxc_run lx0
note "the same burst without the hook: $(cat "$TDIR/out-lx0/res")"

mk_lxc lx2 yes -p numproc=3
payload lx2 "/helpers/forker 10"
lxc_run lx2 || fail "lxc-start with -p numproc=3 failed: $(tail -5 "$TDIR/lxc-lx2.log")"
out=$(cat "$TDIR/out-lx2/res")
[ "$out" = "ok=2 failed=8 first_errno=11" ] ||
    fail "-p numproc=3: got '$out', expected ok=2 failed=8"
pass "-p numproc=3 on the hook's line: exactly 2 children"
[ -n "$(actl list -a -H -o ctid | awk '$1 == "lx2"')" ] &&
    fail "lx2 (named only by the hook) is still listed after post-stop"
pass "post-stop: lx2 (no CTID.conf) is forgotten"

mk_lxc lx3 yes -p ram=banana
payload lx3 "echo ran"
lxc_run lx3 && fail "lxc-start started a container whose hook refused"
[ -e "$TDIR/out-lx3/res" ] && fail "init ran despite hook_failure = refuse"
pass "refuse: ram=banana keeps init from running"
