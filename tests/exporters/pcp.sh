#!/bin/bash
# The PCP agent with a real pmcd started here (private PCP_TMP_DIR,
# PCP_RUN_DIR, PCP_VAR_DIR, pmcd.conf and PMNS; loopback and a private
# unix socket only), read back with pminfo -f and pmval: the figures of a
# private accountd's containers, semantics and units, help text for every
# metric, and containers that come and go keeping their instance numbers.
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
PMCD=${PMCD:-/usr/lib/pcp/bin/pmcd}
[ -x "$PMCD" ] || skip "pmcd is not installed (Debian: pcp)"
need pminfo "Debian: pcp"
need pmval "Debian: pcp"
need pmprobe "Debian: pcp"
id pcp > /dev/null 2>&1 || skip "no pcp user (Debian: pcp)"
[ -x "$PMDA" ] || fail "no agent at $PMDA"
exp_tdir
start_daemon
actl create 601 --numproc 5 > /dev/null || fail "create 601"
actl create 602 --ram 64M > /dev/null || fail "create 602"
actl exec 601 -- "$HELPERS/forker" 10 > /dev/null

# a private pmcd: its own folders, config, PMNS and ports
P=$TDIR/pcp
mkdir -p "$P/tmp" "$P/run" "$P/log" "$P/var/config/pmda"
chown -R pcp:pcp "$P"
export PCP_TMP_DIR=$P/tmp PCP_RUN_DIR=$P/run PCP_LOG_DIR=$P/log PCP_VAR_DIR=$P/var
{ printf 'root {\n\taccountd\n}\n\n'; "$PMDA" -N | sed 's/ACCOUNTD:/432:/'; } > "$P/root"
printf 'accountd\t432\tpipe\tbinary\t%s -d 432 -s %s -l %s\n' "$PMDA" \
    "$TDIR/run/snapshot" "$P/log/accountd.log" > "$P/pmcd.conf"
port=$(free_port)
spawn "$P/pmcd.out" "$PMCD" -f -c "$P/pmcd.conf" -n "$P/root" -i 127.0.0.1 \
    -p "$port" -s "$P/run/pmcd.socket" -l "$P/log/pmcd.log"
H=(-h "unix:$P/run/pmcd.socket")
wait_for 10 pminfo "${H[@]}" accountd.running > /dev/null 2>&1 ||
    { cat "$P/log/pmcd.log" "$P/log/accountd.log" 2> /dev/null; fail "pmcd or the agent did not come up"; }
pass "pmcd pid $SPAWNED serves the agent (domain 432)"
# a sampling round after the containers and the fails
wait_for 5 sh -c "pminfo -h unix:$P/run/pmcd.socket -f accountd.bc.numproc.failcnt | grep -q '\"601\"\] value [1-9]'" ||
    fail "601's failcnt never showed"

out=$(pminfo "${H[@]}" -f accountd.bc.numproc.failcnt accountd.bc.numproc.limit \
    accountd.bc.physpages.limit accountd.running accountd.host.containers.running)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -A3 '^accountd.bc.numproc.failcnt' | grep -Eq 'inst \[[0-9]+ or "601"\] value ([6-9]|[1-9][0-9]+)$' ||
    fail "numproc failcnt of 601 is not >= 6"
echo "$out" | grep -A3 '^accountd.bc.numproc.limit' | grep -q '"601"\] value 5$' || fail "numproc limit 5"
echo "$out" | grep -A3 '^accountd.bc.physpages.limit' | grep -q '"602"\] value 67108864$' ||
    fail "physpages limit of 602 is not 64M in bytes"
echo "$out" | grep -A1 '^accountd.host.containers.running' | grep -q 'value 2$' || fail "2 running"
pass "pminfo -f: failcnt, limits in bytes, containers as instances"

d=$(pminfo "${H[@]}" -d accountd.bc.numproc.failcnt accountd.bc.physpages.held accountd.bc.physpages.limit accountd.cpu.usage)
echo "$d" | grep -A2 '^accountd.bc.numproc.failcnt' | grep -q 'Semantics: counter  Units: count' || fail "failcnt: $d"
echo "$d" | grep -A2 '^accountd.bc.physpages.held' | grep -q 'Semantics: instant  Units: byte' || fail "held: $d"
echo "$d" | grep -A2 '^accountd.bc.physpages.limit' | grep -q 'Semantics: discrete  Units: byte' || fail "limit: $d"
echo "$d" | grep -A2 '^accountd.cpu.usage' | grep -q 'Semantics: counter  Units: microsec' || fail "cpu: $d"
pass "semantics and units: failcnt counter/count, held instant/byte, limit discrete/byte, cpu counter/microsec"

n=$(pminfo "${H[@]}" accountd | wc -l)
missing=$(pminfo "${H[@]}" -tT accountd 2>&1 | grep -c 'not available')
[ "$missing" = 0 ] || fail "$missing metrics without help text"
pass "help text (one-line and full) for all $n metrics"

bg_in 601 "$HELPERS/cpuburn" 4
sleep 0.5
v=$(pmval "${H[@]}" -s 3 -t 1 -i 601 accountd.cpu.usage 2>&1)
echo "$v" | sed 's/^/# /'
echo "$v" | awk '$1 ~ /^[0-9.]+$/ && $1 > 0.3 { f = 1 } END { exit !f }' ||
    fail "pmval does not show 601 using CPU"
pass "pmval: the counter as a rate, 601 near one CPU"
wait "$BGPID"

inst602=$(pmprobe "${H[@]}" -I accountd.running | grep -o '"602"' > /dev/null && pminfo "${H[@]}" -f accountd.running | sed -n 's/.*inst \[\([0-9]*\) or "602"\].*/\1/p')
actl destroy 602 --force > /dev/null || fail "destroy 602"
actl create 603 > /dev/null || fail "create 603"
sleep 1.5
probe=$(pmprobe "${H[@]}" -I accountd.running)
case $probe in *'"603"'*) ;; *) fail "603 not an instance: $probe" ;; esac
case $probe in *'"602"'*) fail "602 still an instance: $probe" ;; esac
actl create 602 > /dev/null || fail "create 602 again"
sleep 1.5
again=$(pminfo "${H[@]}" -f accountd.running | sed -n 's/.*inst \[\([0-9]*\) or "602"\].*/\1/p')
[ -n "$inst602" ] && [ "$again" = "$inst602" ] || fail "602 came back as $again, was $inst602"
pass "containers come and go: 603 appears, 602 leaves and returns as instance $again"
