#!/bin/bash
# Admission control for memory guarantees: the running containers'
# memguarantee may add up to host RAM minus guarantee_reserve.  A create or
# set past that is refused with the figures and leaves nothing behind;
# --force admits it (logged); a container whose runtime starts it when its
# guarantee does not fit runs without it (memory.low / soft limit not
# written) and says why; oversell shows what is committed.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon -o guarantee_reserve=10%

host=$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)
room=$(( host - host * 10 / 100 ))
mb() { echo $(( $1 * $2 / 100 / 1048576 ))M; }	# PERCENT of host RAM, in M
a=$(mb "$host" 60) b=$(mb "$host" 40)
note "host RAM $host bytes; 201: ram $a, web2: ram $b, both memguarantee 100%"
low() {	# RELPATH: the guarantee in the kernel
	if cg_is_v2; then cat "$CGROUP_ROOT/$1/memory.low"
	else cat "$(cgdir memory "$1")/memory.soft_limit_in_bytes"; fi
}

actl create 201 --ram "$a" --memguarantee 100 || fail "60% of RAM refused"
[ "$(low "$(ctcg 201)")" = $(( ${a%M} << 20 )) ] ||
    fail "201's guarantee is not in the kernel: $(low "$(ctcg 201)")"
pass "201 guaranteed $a (60% of RAM), written to the kernel"

out=$(actl create web2 --ram "$b" --memguarantee 100 2>&1) &&
    fail "a guarantee past RAM - reserve was admitted: $out"
note "$out"
[ "$(echo "$out" | wc -l)" = 1 ] || fail "not one line: $out"
echo "$out" | grep -q "web2: memguarantee [0-9.]*[KMGT] refused: it would bring the guarantees of running containers to [0-9.]*[KMGT] ([0-9.]*[KMGT] now, in 1), above the [0-9.]*[KMGT] the host holds for them ([0-9.]*[KMGT] RAM minus guarantee_reserve [0-9.]*[KMGT]); --force" ||
    fail "the refusal does not name the figures: $out"
actl list -a -H -o ctid | grep -qx web2 && fail "web2 half-created (listed)"
[ -e "$TDIR/ct/web2.conf" ] && fail "web2 half-created (conf file)"
[ -d "$(cgdir memory "$(ctcg web2)")" ] && fail "web2 half-created (cgroup)"
pass "web2 ($b more) refused in one line, nothing left behind"

actl create web2 --ram "$b" --memguarantee 100 --force || fail "--force"
grep -q "web2: memguarantee [0-9.]*[KMGT] admitted by --force" "$TDIR/daemon.log" ||
    fail "--force not logged"
[ "$(low "$(ctcg web2)")" = $(( ${b%M} << 20 )) ] || fail "web2's guarantee not written"
pass "--force admits web2, logged"

wait_for 5 sh -c "\"$ACCTCTL\" -j oversell | grep -q '\"committed\": *$(( (${a%M} + ${b%M}) << 20 ))'" ||
    fail "oversell -j: $(actl -j oversell | grep -A3 guarantee)"
line=$(actl oversell | grep '^Guarantee ') || fail "no Guarantee line: $(actl oversell)"
note "$line"
actl -j oversell | grep -q "\"available\": *$room" || fail "available is not $room: $(actl -j oversell | grep -A3 guarantee)"
pass "oversell: $line"

actl create 203 --ram 64M || fail "create 203 without a guarantee"
actl set 203 --memguarantee 100 2>&1 | grep -q "203: memguarantee 64M refused: .*now, in 2)" ||
    fail "set past the room was not refused"
[ "$(low "$(ctcg 203)")" != $((64 << 20)) ] || fail "a refused set reached the kernel"
actl set 203 --memguarantee 100 --force || fail "set --force"
[ "$(low "$(ctcg 203)")" = $((64 << 20)) ] || fail "set --force not written"
pass "set: refused past the room, --force admits"

# the runtime starts an adopted container whose guarantee does not fit
rt="$PARENT/runtime/204"
actl create 204 --cgroup "/$rt" --ram 64M --memguarantee 100 || fail "create 204"
mkcg_runtime "$rt"
wait_for 5 sh -c "\"$ACCTCTL\" list -H -o ctid,status | grep -q '^ *204 running'" ||
    fail "204 not seen running"
actl list -H -o ctid,error | grep '^ *204 ' | grep -q "memguarantee 64M refused" ||
    fail "204 has no refusal in its status: $(actl list -o ctid,error)"
[ "$(low "$rt")" != $((64 << 20)) ] || fail "204's refused guarantee reached the kernel"
grep -q "204: memguarantee 64M refused.*runs without its guarantee" "$TDIR/daemon.log" ||
    fail "the refused start is not logged"
rmcg_runtime "$rt"
pass "204 started by its runtime runs without the guarantee that does not fit, and says so"

actl set 201 --memguarantee 50 || fail "lowering a guarantee was refused"
[ "$(low "$(ctcg 201)")" = $(( ${a%M} << 19 )) ] || fail "201 not lowered"
pass "lowering a guarantee passes while the host is overcommitted"

out=$("$ACCOUNTD" -n -o guarantee_reserve=lots 2>&1) && fail "bad reserve accepted"
echo "$out" | grep -q "bad guarantee_reserve 'lots'" || fail "bad reserve: $out"
pass "a bad guarantee_reserve is refused: $out"
