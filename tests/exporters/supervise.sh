#!/bin/bash
# accountd with exporter = yes: the exporter runs as nobody, serves the
# daemon's containers on 127.0.0.1 only, is started again when it dies,
# and stops with accountd; accountd -n refuses an exporter run as root
# and a wrong exporter value.
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
need curl "the HTTP client of this test"
port=$(free_port)
start_exp_daemon "$port"
actl create 401 --ram 64M --numproc 50 > /dev/null || fail "create"
base=http://127.0.0.1:$port
epid=$(exporter_pid "$DPID")
[ -n "$epid" ] || fail "no exporter child of accountd"
[ "$(stat -c %U "/proc/$epid")" = nobody ] || fail "exporter runs as $(stat -c %U "/proc/$epid")"
grep -q '^CapEff:[[:space:]]*0*$' "/proc/$epid/status" || fail "exporter has capabilities: $(grep CapEff "/proc/$epid/status")"
pass "exporter pid $epid runs as nobody without capabilities"
wait_for 5 sh -c "curl -s $base/metrics | grep -q 'accountd_container_running{container=\"401\"} 1'" ||
    fail "container 401 not in /metrics"
pass "the daemon's container is in /metrics"
# listening on loopback only
command -v ss > /dev/null ||
    fail "no ss(8) to see where the exporter listens (scripts/deps.sh installs iproute2)"
{
	ss -Htlnp | grep -q "users:((\"accountd-export\",pid=$epid" &&
	    ! ss -Htlnp | grep "pid=$epid," | grep -qv '127.0.0.1:' ||
	    fail "exporter listens beyond 127.0.0.1: $(ss -Htlnp | grep "pid=$epid,")"
	pass "listens on 127.0.0.1:$port only"
}

kill -KILL "$epid"
wait_for 5 sh -c "[ -n \"\$(pgrep -P $DPID -f accountd-exporter)\" ] && [ \"\$(pgrep -P $DPID -f accountd-exporter)\" != $epid ]" ||
    fail "exporter not started again"
wait_http 5 "$base/metrics" || fail "new exporter does not serve"
epid2=$(exporter_pid "$DPID")
grep -q "exporter pid $epid killed by signal 9" "$TDIR/daemon.log" || fail "the death is not logged"
pass "killed, started again as pid $epid2 within seconds"

stop_daemon
for _ in $(seq 1 40); do kill -0 "$epid2" 2> /dev/null || break; sleep 0.05; done
kill -0 "$epid2" 2> /dev/null && fail "exporter $epid2 outlived accountd"
[ "$(http_code "$base/metrics")" = 000 ] || fail "something still answers on $port"
pass "stopped with accountd"

out=$("$ACCOUNTD" -n -f /dev/null -o exporter=yes -o exporter_user=root 2>&1) &&
    fail "accountd -n accepted exporter_user=root"
case $out in *"never runs as root"*) ;; *) fail "exporter_user=root: $out" ;; esac
out2=$("$ACCOUNTD" -n -f /dev/null -o exporter=maybe 2>&1) && fail "exporter=maybe accepted"
case $out2 in *"bad exporter 'maybe'"*) ;; *) fail "exporter=maybe: $out2" ;; esac
out3=$("$ACCOUNTD" -n -f /dev/null -o rrd_step=0 2>&1) && fail "rrd_step=0 accepted"
pass "accountd -n refuses: $out | $out2 | $out3"
