#!/bin/bash
# All or nothing: a set whose memory write the kernel refuses puts back
# the CPU limit it had already changed, and says what and why.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

actl create 105 --ram 256M --swap 0 --cpulimit 25 --numproc 50 || fail "create"
bg_in 105 "$HELPERS/memhog" 100 60
wait_for 10 awk '$1 > 90000000 { ok = 1 } END { exit !ok }' \
    "$(cgdir memory "$(ctcg 105)")/$(cg_is_v2 && echo memory.current || echo memory.usage_in_bytes)" ||
    fail "memhog did not reach 100 MiB"

msg=$(actl set 105 --cpulimit 50 --numproc 80 --ram 32M 2>&1)
rc=$?
note "set --cpulimit 50 --numproc 80 --ram 32M: rc=$rc: $msg"
[ "$rc" = 1 ] || fail "expected exit 1, got $rc"
case $msg in
*"cannot set ram=32M on 105: usage is "*) ;;
*) fail "message does not say what and why: $msg" ;;
esac
[ "$(cpu_quota_pct "$(ctcg 105)")" = 25 ] ||
    fail "cpulimit not rolled back: $(cpu_quota_pct "$(ctcg 105)")%"
[ "$(cat "$(cgdir pids "$(ctcg 105)")/pids.max")" = 50 ] || fail "numproc not rolled back"
[ "$(mem_limit "$(ctcg 105)")" = $((256 << 20)) ] || fail "ram changed"
pass "cpulimit 25%, numproc 50 and ram 256M all kept"
actl show 105 | grep -E '^  cpulimit +25%' > /dev/null || fail "show does not report 25%"
pass "show still reports the old values"
