#!/bin/bash
# A sampling round is made in slices of 64 containers, one per turn of
# the event loop, so that a request waits for a slice and not for the
# whole round (with a thousand containers, root's `acctctl set` waited
# hundreds of ms behind rounds on a busy machine: bench/soak.sh); and
# every container is still sampled each round, the last by name too.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon -v
N=140			# 64 + 64 + 12: three slices
for i in $(seq 1 $N); do
	actl create "s$i" > /dev/null || fail "create s$i"
done
line() { grep -o "sampling round [0-9]*: $N containers in [0-9]* slices.*" \
    "$TDIR/daemon.log" | tail -1; }
wait_for 10 sh -c "grep -q 'sampling round [0-9]*: $N containers' '$TDIR/daemon.log'" ||
    fail "no round of $N containers logged: $(grep 'sampling round' "$TDIR/daemon.log" | tail -2)"
slices=$(line | sed -n 's/.* in \([0-9]*\) slices.*/\1/p')
[ "$slices" = 3 ] || fail "a round of $N containers in '$slices' slices: $(line)"
pass "a round of $N containers made in 3 slices ($(line | sed 's/.*slices, //'))"

# the last container by name (s99) is sampled: its process is counted
bg_in s99 sleep 60
wait_for 5 sh -c "'$ACCTCTL' ubc s99 | awk '\$1 == \"numproc\" || \$2 == \"numproc\" { found = 1; if (\$(NF-4) >= 1) ok = 1 } END { exit !ok }'" ||
    fail "s99's process not counted: $(actl ubc s99 | grep numproc)"
pass "the last container by name is sampled (numproc held 1)"
