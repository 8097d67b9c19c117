#!/bin/bash
# The read-only socket serves the requests accountd's table marks CTL_RO
# and nothing else, and acctctl keeps no list of its own (issue 15 move 6:
# acctctl's CMD_READONLY flag was dead and the daemon's list a second,
# untied copy).  As nobody, who cannot open the control socket: the
# reading commands work through the read-only socket, every changing one
# (also `quota -u`, a changing request of a reading command) is refused by
# accountd with its one message (exit 6), and nothing changes.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
[ -x "$HELPERS/ctlabuse" ] || fail "no ctlabuse helper at $HELPERS"

start_daemon
chmod 755 "$TDIR"
actl create 212 --numproc 40 > /dev/null || fail "create 212"
before=$(knob 212 pids pids.max pids.max)
nobody() { "$HELPERS/ctlabuse" exec "$ACCTCTL" "$@"; }

for args in "list" "show 212" "ubc 212" "status" "plan 212 --numproc 9" \
    "events -n 1 212" "meminfo 212"; do
	out=$(nobody $args 2>&1); rc=$?
	[ "$rc" = 0 ] || fail "nobody's acctctl $args: exit $rc: $out"
done
pass "nobody reads through the read-only socket: list show ubc status plan events meminfo"

for args in "set 212 --numproc 9" "create 213" "destroy 212" "attach 212 1" \
    "quota 212 -u 0 1M:1M"; do
	out=$(nobody $args 2>&1); rc=$?
	note "nobody's acctctl $args: exit $rc: $out"
	[ "$rc" = 6 ] || fail "nobody's acctctl $args: exit $rc (expected 6): $out"
	cmd=$(echo "$out" | sed -n "s/^acctctl: '\([a-z_]*\)' is not allowed on the read-only socket.*/\1/p")
	[ -n "$cmd" ] || fail "nobody's acctctl $args: not accountd's refusal: $out"
done
[ "$(knob 212 pids pids.max pids.max)" = "$before" ] ||
    fail "pids.max changed: $before -> $(knob 212 pids pids.max pids.max)"
actl show 212 > /dev/null || fail "212 is gone"
pass "every changing request refused on the read-only socket by accountd (exit 6); nothing changed"
