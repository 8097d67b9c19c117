#!/bin/bash
# Real runc with accountd-hook as its createRuntime and poststop hooks:
# the limits are in force before the container's first instruction.
# Saved numproc 5, an entrypoint that forks 20 children: exactly 4 fork,
# in 20 of 20 runs (without the hook, all 20 do); the container, which
# has a CTID.conf, stays known, stopped, after poststop.
# runtime-runc-hook.sh has the rest: ram and cpulimit at start, names,
# annotations, refusals, restarts (two files: in the VM each runc start
# takes seconds).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runc.sh"
require_cgroups
require_runc
runc_setup
# saved first, as a user would: accountd knows these names before runc
# starts them (and makes own cgroups for them, which the hook lets go)
printf 'NUMPROC="5:5"\n' > "$TDIR/ct/burst.conf"
start_daemon -f "$TDIR/accountd.conf"

# ---- fork burst against saved numproc 5 --------------------------------
mk_bundle "$B/burst" "$TDIR/rootfs" "/$PARENT/rc-burst" yes '{}' \
    /helpers/forker 20
good=0
for i in $(seq 1 20); do
	out=$(runc_run "$B/burst" burst 2> "$TDIR/err") ||
	    fail "run $i: runc failed: $(cat "$TDIR/err")"
	[ "$out" = "ok=4 failed=16 first_errno=11" ] ||
	    fail "run $i: entrypoint fork burst under saved numproc 5 gave " \
	    "'$out', expected ok=4 failed=16 first_errno=11"
	good=$((good + 1))
done
pass "fork burst at start, saved numproc 5: exactly 4 children in $good of 20 runs"
[ "$(actl list -a -H -o ctid,status,origin | awk '$1 == "burst" { print $2, $3 }')" = "stopped hook" ] ||
    fail "burst (with a CTID.conf) should be kept, stopped, after poststop: $(actl list -a -o ctid,status,origin)"
pass "poststop: burst (it has a CTID.conf) is kept, stopped"

mk_bundle "$B/nohook" "$TDIR/rootfs" "/$PARENT/rc-nohook" no '{}' \
    /helpers/forker 20
out=$(runc_run "$B/nohook" nohook 2>&1)
note "the same burst without the hook: $out"
[ "$out" = "ok=20 failed=0 first_errno=0" ] ||
    fail "without the hook nothing limits the container, yet: $out"
