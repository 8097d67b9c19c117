#!/bin/bash
# numproc=5: the container holds five processes; the sixth fork fails
# with EAGAIN, and the kernel counts the refusals.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

actl create 103 --numproc 5 || fail "create"
out=$(actl exec 103 -- "$HELPERS/forker" 10) || fail "forker: $out"
note "forker 10 in numproc=5: $out"
# the forker is one of the five: four children fit, the rest fail
[ "$out" = "ok=4 failed=6 first_errno=11" ] ||
    fail "expected ok=4 failed=6 first_errno=11 (EAGAIN), got: $out"
events=$(awk '$1 == "max" { print $2 }' "$(cgdir pids "$(ctcg 103)")/pids.events")
[ "$events" -ge 6 ] || fail "pids.events max is $events, expected >= 6"
pass "the sixth process is refused (EAGAIN); pids.events max=$events"

actl set 103 --numproc 20 || fail "set --numproc 20"
out=$(actl exec 103 -- "$HELPERS/forker" 10)
[ "$out" = "ok=10 failed=0 first_errno=0" ] || fail "after raising: $out"
pass "raised to 20: ten forks succeed"
