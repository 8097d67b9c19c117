#!/bin/bash
# ram=64M swap=0 on a container running a process that touches 200 MiB:
# the kernel OOM-kills it inside the container (and counts the kill);
# under the limit the same program runs to the end.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

actl create 101 --ram 64M --swap 0 || fail "create"
[ "$(mem_limit "$(ctcg 101)")" = $((64 << 20)) ] ||
    fail "memory limit is $(mem_limit "$(ctcg 101)"), not 64M"
pass "the kernel has the 64M limit"

actl exec 101 -- "$HELPERS/memhog" 32 > "$TDIR/small" 2>&1 ||
    fail "memhog 32 MiB under a 64M limit failed: $(cat "$TDIR/small")"
pass "32 MiB fits under ram=64M"

before=$(oom_kills "$(ctcg 101)")
actl exec 101 -- "$HELPERS/memhog" 200 > "$TDIR/big" 2>&1
rc=$?
[ "$rc" = 137 ] || fail "memhog 200 MiB exited $rc, expected 137 (SIGKILL): $(cat "$TDIR/big")"
after=$(oom_kills "$(ctcg 101)")
[ "$after" -gt "$before" ] || fail "kernel oom_kill count did not grow ($before -> $after)"
pass "200 MiB under ram=64M: killed by the kernel (oom_kill $before -> $after)"
