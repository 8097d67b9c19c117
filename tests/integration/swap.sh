#!/bin/bash
# ram=64M swap=64M: the container may use 128M in all, of which at most
# 64M in swap.  100 MiB survives (36+ MiB of it swapped out), 150 MiB is
# OOM-killed.  Needs a host with swap (the VM's swap disk); this checks
# the swap mapping itself (v1 memsw = ram+swap, v2 swap.max = swap), so
# virtual swap is paged by the kernel (vswap_mode=kernel; vswap.sh tests
# the other modes).
. "$(dirname "$0")/lib.sh"
require_cgroups
[ "$(awk 'NR > 1' /proc/swaps | wc -l)" -gt 0 ] || skip "no swap on this host"
start_daemon -o vswap_mode=kernel -o vswap_rate=0

actl create 110 --ram 64M --swap 64M || fail "create"
if cg_is_v2; then
	[ "$(cat "$(cgdir memory "$(ctcg 110)")/memory.swap.max")" = $((64 << 20)) ] ||
	    fail "memory.swap.max is not the swap alone"
else
	[ "$(cat "$(cgdir memory "$(ctcg 110)")/memory.memsw.limit_in_bytes")" = $((128 << 20)) ] ||
	    fail "memsw is not ram+swap"
fi
pass "the kernel has ram 64M and swap 64M"

actl exec 110 -- "$HELPERS/memhog" 100 > "$TDIR/ok" 2>&1 ||
    fail "100 MiB with ram 64M + swap 64M was killed: $(cat "$TDIR/ok")"
pass "100 MiB fits in 64M of RAM plus 64M of swap"

before=$(oom_kills "$(ctcg 110)")
actl exec 110 -- "$HELPERS/memhog" 150 > /dev/null 2>&1
rc=$?
[ "$rc" = 137 ] || fail "150 MiB survived (exit $rc): swap is not limited to 64M"
[ "$(oom_kills "$(ctcg 110)")" -gt "$before" ] || fail "no OOM kill counted"
pass "150 MiB is more than ram+swap: OOM-killed"
