#!/bin/bash
# VSwap in kernel mode (vswap_mode=kernel, docs/vswap.md): with ram=64M
# swap=128M the kernel's memory limit is ram itself and the kernel pages
# what is above it to the host's swap (v1: memsw = ram+swap; v2:
# memory.swap.max = swap); a container pushing 128 MiB is paged out, not
# killed.  Needs swap to page to: a host without swap skips, saying so
# (the VM runs it with swap on disk and on zram).
. "$(dirname "$0")/lib.sh"
require_cgroups
nswap=$(awk 'NR > 1' /proc/swaps | wc -l)
[ "$nswap" -gt 0 ] ||
    skip "no swap on this host: the kernel has nowhere to page to (runs in the VM, swap on disk and on zram)"
prepare_tdir
start_daemon -o vswap_mode=kernel
actl create 121 --ram 64M --swap 128M --vswaprate 40M || fail "create (kernel mode)"
actl show 121 | grep -q "^  vswap .*(40M/s, kernel mode)" ||
    fail "show has no vswap line for kernel mode: $(actl show 121)"
[ "$(mem_limit "$(ctcg 121)")" = $((64 << 20)) ] ||
    fail "kernel mode: memory limit $(mem_limit "$(ctcg 121)") is not ram (64M)"
if cg_is_v2; then
	sw=$(cat "$(cgdir memory "$(ctcg 121)")/memory.swap.max")
	[ "$sw" = $((128 << 20)) ] || fail "kernel mode: memory.swap.max $sw, not 128M"
else
	sw=$(cat "$(cgdir memory "$(ctcg 121)")/memory.memsw.limit_in_bytes")
	[ "$sw" = $((192 << 20)) ] || fail "kernel mode: memsw limit $sw, not ram+swap 192M"
fi
pass "kernel mode: memory limit 64M, swap limit $sw"
actl exec 121 -- "$HELPERS/vswapload" 128 > "$TDIR/kpush" || fail "kernel mode 128 MiB: $(cat "$TDIR/kpush")"
out=$(actl show -j 121 | grep -o '"out": *[0-9]*' | grep -o '[0-9]*$')
[ "${out:-0}" -ge $((32 << 20)) ] || fail "kernel mode: swap traffic out ${out:-0}"
pass "kernel mode: the kernel paged $((out >> 20)) MiB out; $(cat "$TDIR/kpush")"
