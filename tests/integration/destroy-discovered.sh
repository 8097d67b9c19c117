#!/bin/bash
# destroy of a container a discover= pattern finds: while it runs, the
# advice names the way to stop the pattern that works (here the pattern
# came with -o, which a reload keeps: restart without it); once it stopped
# it is destroyed at once, with a note that the pattern finds its cgroup
# again, and when the cgroup comes back it is found without the settings.
. "$(dirname "$0")/lib.sh"
require_cgroups
prepare_tdir
start_daemon -o discover="$PARENT/rt/%n"

rt="$PARENT/rt/web3"
mkcg_runtime "$rt"
wait_for 5 sh -c "\"$ACCTCTL\" list -H -o ctid | grep -qx web3" || fail "web3 not discovered"
actl set web3 --numproc 20 --save || fail "set --save"
[ -f "$TDIR/ct/web3.conf" ] || fail "no web3.conf"

out=$(actl destroy web3 2>&1) && fail "destroying a running discovered container succeeded"
note "$out"
echo "$out" | grep -q "given to accountd with -o: restart accountd without -o discover=$PARENT/rt/%n" ||
    fail "the advice for a pattern given with -o: $out"
echo "$out" | grep -q "reload" && fail "advises a reload, which keeps -o patterns: $out"
pass "running: the advice is to restart without -o discover=..."

rmcg_runtime "$rt"
wait_for 5 sh -c "\"$ACCTCTL\" list -S -H -o ctid | grep -qx web3" || fail "web3 not seen stopped"
out=$(actl destroy web3 2>&1) || fail "destroying the stopped web3: $out"
note "$out"
echo "$out" | grep -q "discover=$PARENT/rt/%n will find web3 again" || fail "no note about the pattern: $out"
actl list -a -H -o ctid | grep -qx web3 && fail "web3 still listed"
[ -f "$TDIR/ct/web3.conf.destroyed" ] || fail "web3.conf not moved aside"
pass "stopped: destroyed, with a note that the pattern finds it again"

mkcg_runtime "$rt"
wait_for 5 sh -c "\"$ACCTCTL\" list -H -o ctid | grep -qx web3" || fail "web3 not found again"
[ "$(actl list -H -o ctid,numproc | awk '$1 == "web3" { print $2 }')" = - ] ||
    fail "web3 came back with settings: $(actl list -o ctid,numproc)"
rmcg_runtime "$rt"
pass "its cgroup back: found again, without the destroyed settings"
