#!/bin/bash
# VSwap as OpenVZ users know it, with ram=64M swap=128M: the container
# sees 64M of RAM and 128M of swap in its meminfo; what it uses above its
# RAM is counted as swappages and slowed to its vswaprate (it is frozen
# to pay); above ram+swap it is OOM-killed and the kill is counted
# against physpages/swappages (failcnt) with an event.  The mode is
# vswap_mode=auto: kept in RAM unless every active swap is zram.  The
# kernel mode with swap on disk is vswap-kernel.sh's.
. "$(dirname "$0")/lib.sh"
require_cgroups
prepare_tdir
MODE=$(vswap_auto)
note "vswap_mode=auto should mean $MODE on this host"
start_daemon -o meminfo_dir="$TDIR/meminfo"

actl create 120 --ram 64M --swap 128M --vswaprate 40M || fail "create"
actl show 120 | grep -q "^  vswap .*(40M/s, $MODE mode)" ||
    fail "show has no vswap line for $MODE mode: $(actl show 120)"
[ "$(mem_limit "$(ctcg 120)")" = "$(ram_ceiling $((64 << 20)) $((128 << 20)))" ] ||
    fail "memory limit $(mem_limit "$(ctcg 120)") for ram 64M swap 128M in $MODE mode"
pass "ram=64M swap=128M in $MODE mode: the kernel limit is $(mem_limit "$(ctcg 120)")"

# ---- meminfo: what the container should see
actl meminfo 120 > "$TDIR/mi" || fail "meminfo"
grep -Eq '^MemTotal: +65536 kB$' "$TDIR/mi" || fail "MemTotal: $(grep MemTotal "$TDIR/mi")"
grep -Eq '^SwapTotal: +131072 kB$' "$TDIR/mi" || fail "SwapTotal: $(grep SwapTotal "$TDIR/mi")"
wait_for 5 test -s "$TDIR/meminfo/120" || fail "meminfo_dir/120 not written"
ino=$(stat -c %i "$TDIR/meminfo/120")
grep -Eq '^MemTotal: +65536 kB$' "$TDIR/meminfo/120" || fail "meminfo_dir file: $(head -3 "$TDIR/meminfo/120")"
pass "meminfo: MemTotal 64M, SwapTotal 128M; also in meminfo_dir/120"

# ---- under RAM: no slowdown charged
actl exec 120 -- "$HELPERS/vswapload" 32 > "$TDIR/small" || fail "32 MiB: $(cat "$TDIR/small")"
[ "$(actl show -j 120 | grep -o '"slowed_us": *[0-9]*' | grep -o '[0-9]*$')" = 0 ] ||
    fail "slowed under RAM: $(actl show 120 | grep vswap)"
pass "32 MiB under RAM: not slowed"

# ---- past RAM: the part above RAM is virtual swap, paid at 40M/s
actl exec 120 -- "$HELPERS/vswapload" 128 > "$TDIR/push" || fail "128 MiB: $(cat "$TDIR/push")"
note "128 MiB with ram 64M: $(cat "$TDIR/push")"
took=$(sed -n 's/.*total=\([0-9.]*\).*/\1/p' "$TDIR/push")
slowed=$(actl show -j 120 | grep -o '"slowed_us": *[0-9]*' | grep -o '[0-9]*$')
# 64 MiB above RAM at 40M/s is 1.6 s; slower machines only take longer
[ "${slowed:-0}" -ge 800000 ] || fail "slowed only ${slowed:-0} us for 64M above RAM at 40M/s"
awk -v t="$took" 'BEGIN { exit !(t >= 0.8) }' || fail "the push took only $took s"
maxheld=$(actl ubc --resources 120 | awk '$1 == "swappages" || $2 == "swappages" { print ($1 == "swappages") ? $3 : $4 }')
[ "${maxheld:-0}" -ge $((32 << 20 >> 12)) ] || fail "swappages maxheld ${maxheld:-none} pages: $(actl ubc --resources 120)"
pass "128 MiB: slowed $((slowed / 1000)) ms, swappages maxheld $maxheld pages"
[ "$(stat -c %i "$TDIR/meminfo/120")" = "$ino" ] || fail "meminfo_dir/120 was replaced, not rewritten"

# ---- above ram+swap: OOM-killed, counted, an event
actl events -f -j 120 > "$TDIR/events" 2>&1 &
BGPIDS+=("$!")
sleep 0.3
actl exec 120 -- "$HELPERS/memhog" 260 > /dev/null 2>&1
rc=$?
[ "$rc" = 137 ] || fail "260 MiB with ram+swap 192M exited $rc, expected 137"
wait_for 5 grep -q '"resource":"swappages"' "$TDIR/events" ||
    fail "no swappages event: $(cat "$TDIR/events")"
wait_for 5 grep -q '"resource":"oomguarpages"' "$TDIR/events" ||
    fail "no oomguarpages event: $(cat "$TDIR/events")"
fc=$(actl ubc --resources 120 | awk '$1 == "swappages" || $2 == "swappages" { print $NF }')
[ "${fc:-0}" -ge 1 ] || fail "swappages failcnt ${fc:-none}"
pass "260 MiB above ram+swap: OOM-killed, swappages failcnt $fc, events"

# the killed task's debt goes with it: the container is not left frozen
wait_for 2 sh -c "! '$ACCTCTL' show 120 | grep -q '^  vswap .*frozen now'" ||
    fail "left frozen after its tasks died: $(actl show 120 | grep vswap)"
pass "not left frozen once its tasks are gone"
