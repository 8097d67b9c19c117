#!/bin/bash
# Where users outgrow one host: one Prometheus scrapes two accountd
# instances (two private daemons, each with its exporter on its own
# loopback port).  The fleet view is Prometheus' own: every series carries
# its instance label, and sums and tops across hosts are queries, not a
# home-made aggregator.
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
need prometheus "Debian: prometheus"
need curl "the HTTP client of this test"
exp_tdir
p1=$(free_port); p2=$(free_port); pp=$(free_port)
start_exp_daemon "$p1"
actl create 801 --ram 128M > /dev/null || fail "create 801"
start_second_daemon b -o exporter=yes -o http_listen="127.0.0.1:$p2" \
    -o exporter_path="$EXPORTER" -o rrd_dir=
ACCTCTL_SOCKET=$SOCK2 actl create 802 --ram 256M > /dev/null || fail "create 802 on the second"
wait_http 10 "http://127.0.0.1:$p2/metrics" || fail "second exporter"

mkdir -p "$TDIR/prom"
cat > "$TDIR/prom.yml" <<EOT
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: accountd
    static_configs:
      - targets: ['127.0.0.1:$p1', '127.0.0.1:$p2']
EOT
spawn "$TDIR/prom.log" prometheus --config.file="$TDIR/prom.yml" \
    --storage.tsdb.path="$TDIR/prom" --web.listen-address="127.0.0.1:$pp"
wait_http 30 "http://127.0.0.1:$pp/-/ready" || fail "Prometheus not ready"
q() {	# PROMQL: the result of an instant query, one "labels value" a line
	curl -s --max-time 5 "http://127.0.0.1:$pp/api/v1/query" --data-urlencode "query=$1" |
	    sed 's/},{/}\n{/g'
}
wait_for 30 sh -c "curl -s 'http://127.0.0.1:$pp/api/v1/query' --data-urlencode 'query=count(up{job=\"accountd\"} == 1) == 2' | grep -q '\"value\"'" ||
    fail "both targets not up: $(curl -s "http://127.0.0.1:$pp/api/v1/targets")"
pass "one Prometheus scrapes both accountd instances"
wait_for 10 sh -c "curl -s 'http://127.0.0.1:$pp/api/v1/query' --data-urlencode 'query=count(accountd_container_running == 1) == 2' | grep -q '\"value\"'" ||
    fail "the two containers are not both seen"
r1=$(q 'accountd_container_running{container="801"}')
r2=$(q 'accountd_container_running{container="802"}')
echo "$r1" | grep -q "\"instance\":\"127.0.0.1:$p1\"" || fail "801 not from the first: $r1"
echo "$r2" | grep -q "\"instance\":\"127.0.0.1:$p2\"" || fail "802 not from the second: $r2"
pass "each container under its own instance label"
sum=$(q 'sum(accountd_host_memory_committed_bytes)')
echo "$sum" | grep -q '"402653184"' || fail "fleet RAM committed is not 128M + 256M: $sum"
by=$(q 'sum by (instance) (accountd_host_memory_committed_bytes)')
[ "$(echo "$by" | grep -c '"instance"')" = 2 ] || fail "not one row per host: $by"
top=$(q 'topk(1, accountd_beancounter_limit_bytes{resource="physpages"})')
echo "$top" | grep -q '"container":"802"' || fail "topk: $top"
pass "fleet queries: RAM committed 384M across hosts, per host, the biggest container"
