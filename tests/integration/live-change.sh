#!/bin/bash
# Raising and lowering ram on a running container takes effect at once;
# lowering below what it uses is refused with the usage in the message,
# and the container keeps running.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

actl create 104 --ram 256M --swap 0 || fail "create"
bg_in 104 "$HELPERS/memhog" 100 60
wait_for 10 awk '$1 > 90000000 { ok = 1 } END { exit !ok }' \
    "$(cgdir memory "$(ctcg 104)")/$(cg_is_v2 && echo memory.current || echo memory.usage_in_bytes)" ||
    fail "memhog did not reach 100 MiB"

actl set 104 --ram 512M || fail "raise to 512M"
[ "$(mem_limit "$(ctcg 104)")" = $((512 << 20)) ] || fail "limit not raised"
pass "raised to 512M on the running container"

actl set 104 --ram 192M || fail "lower to 192M (above usage)"
[ "$(mem_limit "$(ctcg 104)")" = $((192 << 20)) ] || fail "limit not lowered"
pass "lowered to 192M, still above usage"

msg=$(actl set 104 --ram 48M 2>&1)
rc=$?
note "lowering to 48M: rc=$rc: $msg"
[ "$rc" = 1 ] || fail "lowering below usage exited $rc, expected 1"
case $msg in
*"cannot set ram=48M on 104: usage is"*) ;;
*) fail "unexpected message: $msg" ;;
esac
[ "$(mem_limit "$(ctcg 104)")" = $((192 << 20)) ] || fail "limit changed after refusal"
kill -0 "$BGPID" 2> /dev/null || fail "the container's process died"
pass "lowering below usage refused, limit kept, process alive"

actl show 104 | grep -q "not saved" || fail "show does not mark unsaved values"
actl set 104 --ram 192M --save || fail "save"
grep -q '^PHYSPAGES="0:49152"$' "$TDIR/ct/104.conf" || fail "not saved: $(cat "$TDIR/ct/104.conf")"
pass "--save writes PHYSPAGES=0:49152 (192M in pages)"

# The settings in effect and the saved ones are one copy while they are
# the same: an unsaved value must stay in effect, and marked, when other
# values are saved and when the files are read again (SIGHUP)
actl show 104 | grep -q "not saved" && fail "still marked unsaved after --save: $(actl show 104)"
pids=$(cgdir pids "$(ctcg 104)")/pids.max
actl set 104 --numproc 300 || fail "set numproc (not saved)"
actl set 104 --cpuunits 2000 --save || fail "save cpuunits"
unsaved() { actl show 104 | awk '/not saved/ { print $1 }' | tr -d ':' | xargs; }
[ "$(unsaved)" = numproc ] || fail "after saving cpuunits, not saved: '$(unsaved)' (expected numproc): $(actl show 104)"
[ "$(cat "$pids")" = 300 ] || fail "pids.max $(cat "$pids") after saving cpuunits, expected 300"
grep -q '^NUMPROC=' "$TDIR/ct/104.conf" && fail "numproc saved: $(cat "$TDIR/ct/104.conf")"
n=$(grep -c "configuration reloaded" "$TDIR/daemon.log")
kill -HUP "$DPID"
wait_for 10 sh -c "[ \$(grep -c 'configuration reloaded' '$TDIR/daemon.log') -gt $n ]" ||
    fail "no reload after SIGHUP"
[ "$(unsaved)" = numproc ] || fail "after a reload, not saved: '$(unsaved)' (expected numproc): $(actl show 104)"
[ "$(cat "$pids")" = 300 ] || fail "pids.max $(cat "$pids") after a reload, expected 300"
actl set 104 --numproc 300 --save || fail "save numproc"
[ -z "$(unsaved)" ] || fail "saved, still marked not saved: '$(unsaved)'"
pass "an unsaved numproc stays in effect and marked across a save of cpuunits and a reload; saved, the mark goes"
