#!/bin/bash
# Where users outgrow one host: one Prometheus scrapes two accountd
# instances (two private daemons, each with its exporter on its own
# loopback port).  The fleet view is Prometheus' own: every series carries
# its instance label, and sums and tops across hosts are queries, not a
# home-made aggregator.  With the shipped fleet rules
# (exporters/prometheus/accountd-fleet.rules.yml) loaded, the recorded
# fleet figures equal the sums of the two hosts' acctctl oversell
# figures, and acctctl oversell --prometheus prints both hosts and their
# sum.
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
rule_files:
  - '$SRC/exporters/prometheus/accountd-fleet.rules.yml'
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

# ---- the fleet rules against each host's own acctctl oversell
jnum() {	# SECTION FIELD < acctctl oversell -j: a top-level section's number
	awk -v s="  \"$1\": {" -v f="\"$2\"" 'index($0, s) == 1 { in_s = 1; next }
	    in_s && index($0, f) { gsub(/[^0-9]/, ""); print; exit }
	    in_s && /^  }/ { exit }'
}
o1=$(actl oversell -j) || fail "oversell on the first"
o2=$(ACCTCTL_SOCKET=$SOCK2 actl oversell -j) || fail "oversell on the second"
want_alloc=$(( $(echo "$o1" | jnum ram allocated) + $(echo "$o2" | jnum ram allocated) ))
want_avail=$(( $(echo "$o1" | jnum ram available) + $(echo "$o2" | jnum ram available) ))
want_rs=$(( $(echo "$o1" | jnum ram_swap allocated) + $(echo "$o2" | jnum ram_swap allocated) ))
val() { q "$1" | sed -n 's/.*"value":\[[0-9.]*,"\([^"]*\)"\].*/\1/p' | head -1; }
wait_for 15 sh -c "curl -s 'http://127.0.0.1:$pp/api/v1/query' --data-urlencode 'query=fleet:accountd_hosts:count == 2' | grep -q '\"value\"'" ||
    fail "the fleet rules record nothing: $(grep -i rule "$TDIR/prom.log" | tail -3)"
[ "$(val fleet:accountd_memory_committed_bytes:sum)" = "$want_alloc" ] ||
    fail "fleet RAM allocated $(val fleet:accountd_memory_committed_bytes:sum), hosts' sum $want_alloc"
[ "$(val fleet:accountd_memory_bytes:sum)" = "$want_avail" ] ||
    fail "fleet RAM $(val fleet:accountd_memory_bytes:sum), hosts' sum $want_avail"
[ "$(val 'fleet:accountd_memory_committed_bytes:sum + fleet:accountd_swap_committed_bytes:sum')" = "$want_rs" ] ||
    fail "fleet RAM+swap allocated, hosts' sum $want_rs"
pass "recorded fleet figures = sums of the hosts' acctctl oversell: RAM $want_avail, allocated $want_alloc, RAM+swap allocated $want_rs"
out=$(actl oversell --prometheus "http://127.0.0.1:$pp") || fail "oversell --prometheus: $out"
echo "$out" | grep -q "^127.0.0.1:$p1 " || fail "no first host: $out"
echo "$out" | grep -q "^127.0.0.1:$p2 " || fail "no second host: $out"
echo "$out" | grep -q "^FLEET " || fail "no fleet row: $out"
echo "$out" | sed "s/^/# /"
j=$(actl oversell -j --prometheus "http://127.0.0.1:$pp") || fail "oversell -j --prometheus"
fleet=$(echo "$j" | awk '/^  "fleet": \{/ { f = 1 } f')
[ "$(echo "$fleet" | awk '/"ram": \{/ { r = 1 } r && /"allocated"/ { gsub(/[^0-9]/, ""); print; exit }')" = "$want_alloc" ] ||
    fail "oversell --prometheus -j fleet RAM allocated: $fleet"
pass "acctctl oversell --prometheus: both hosts and the fleet ($want_alloc allocated)"
# a host name, looked up through /etc/hosts (acctctl is linked statically
# by default: its resolver is the static libc's)
out=$(actl oversell --prometheus "http://localhost:$pp") ||
    fail "oversell --prometheus http://localhost: $out"
echo "$out" | grep -q "^FLEET " || fail "no fleet row by the name localhost: $out"
pass "acctctl oversell --prometheus http://localhost:$pp (a name, not an address)"
out=$(actl oversell --prometheus "https://127.0.0.1:$pp" 2>&1) && fail "https accepted"
echo "$out" | grep -q "http://" || fail "https error: $out"
out=$(actl oversell --prometheus "http://127.0.0.1:$p1" 2>&1) && fail "a non-Prometheus accepted"
pass "refused: https, and an exporter that is no Prometheus ($out)"
