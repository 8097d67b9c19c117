#!/bin/bash
# End to end: a real Prometheus (Debian's package, loopback, private config
# and data) scrapes a private accountd's exporter with the shipped rules;
# refused forks (forker against numproc, through acctctl exec) raise the
# real failcnt; AccountdFailcntIncreased fires in Prometheus and a real
# Alertmanager (private config and port, clustering off) receives it,
# checked through Alertmanager's API.  Then a container whose forks are
# refused in its first moment, so that its failcnt series starts above 0
# (increase() of a new series is 0): the rule fires for it too, and
# Alertmanager has it from both paths, the rule and accountd's own post
# (alertmanager_url).
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
need prometheus "Debian: prometheus"
need prometheus-alertmanager "Debian: prometheus-alertmanager"
need curl "the HTTP client of this test"
exp_tdir
p_exp=$(free_port); p_am=$(free_port); p_prom=$(free_port)
start_exp_daemon "$p_exp" -o log_level=debug \
    -o alertmanager_url="http://127.0.0.1:$p_am"	# the exporter logs its renders
actl create 701 --numproc 5 > /dev/null || fail "create 701"

cat > "$TDIR/am.yml" <<EOT
route:
  receiver: keep
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: keep
EOT
mkdir -p "$TDIR/am" "$TDIR/prom"
spawn "$TDIR/am.log" prometheus-alertmanager --config.file="$TDIR/am.yml" \
    --storage.path="$TDIR/am" --web.listen-address="127.0.0.1:$p_am" \
    --cluster.listen-address=
cat > "$TDIR/prom.yml" <<EOT
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$p_am']
scrape_configs:
  - job_name: accountd
    static_configs:
      - targets: ['127.0.0.1:$p_exp']
EOT
spawn "$TDIR/prom.log" prometheus --config.file="$TDIR/prom.yml" \
    --storage.tsdb.path="$TDIR/prom" --web.listen-address="127.0.0.1:$p_prom"
wait_http 30 "http://127.0.0.1:$p_am/-/ready" || { tail "$TDIR/am.log"; fail "Alertmanager not ready"; }
wait_http 30 "http://127.0.0.1:$p_prom/-/ready" || { tail "$TDIR/prom.log"; fail "Prometheus not ready"; }
pass "Prometheus on :$p_prom and Alertmanager on :$p_am (loopback)"

q() {	# PROMQL: the JSON of an instant query
	curl -s --max-time 5 "http://127.0.0.1:$p_prom/api/v1/query" --data-urlencode "query=$1"
}
wait_for 30 sh -c "curl -s 'http://127.0.0.1:$p_prom/api/v1/targets' | grep -q '\"health\":\"up\"'" ||
    fail "target not up: $(curl -s "http://127.0.0.1:$p_prom/api/v1/targets")"
wait_for 30 sh -c "curl -s 'http://127.0.0.1:$p_prom/api/v1/query' --data-urlencode 'query=count_over_time(accountd_beancounter_failcnt_total{container=\"701\",resource=\"numproc\"}[1m]) >= 3' | grep -q '\"value\"'" ||
    fail "numproc failcnt of 701 not scraped: $(q 'accountd_beancounter_failcnt_total{container="701"}')"
grep -q 'rendered /metrics (OpenMetrics)' "$TDIR/daemon.log" ||
    fail "Prometheus did not get OpenMetrics"
pass "Prometheus scrapes the exporter in OpenMetrics (target up, 701's failcnt series at 0)"
q 'accountd_beancounter_failcnt_total{container="701",resource="numproc"}' | grep -q '"0"\]' ||
    fail "failcnt is not 0 before the forks"

t0=$(date +%s.%N)
out=$(actl exec 701 -- "$HELPERS/forker" 10)
note "forker in 701 (numproc 5): $out"
wait_for 20 sh -c "curl -s 'http://127.0.0.1:$p_prom/api/v1/alerts' | grep -q '\"alertname\":\"AccountdFailcntIncreased\".*\"state\":\"firing\"'" ||
    fail "the alert did not fire in Prometheus: $(curl -s "http://127.0.0.1:$p_prom/api/v1/alerts")"
t1=$(date +%s.%N)
wait_for 20 sh -c "curl -s 'http://127.0.0.1:$p_am/api/v2/alerts' | grep -q 'AccountdFailcntIncreased'" ||
    fail "Alertmanager did not receive it: $(curl -s "http://127.0.0.1:$p_am/api/v2/alerts")"
t2=$(date +%s.%N)
am=$(curl -s "http://127.0.0.1:$p_am/api/v2/alerts?filter=alertname%3D%22AccountdFailcntIncreased%22")
echo "$am" | grep -q '"container":"701"' || fail "no container label: $am"
echo "$am" | grep -q '"resource":"numproc"' || fail "no resource label: $am"
echo "$am" | grep -q '"summary":"701: numproc failcnt went up"' || fail "summary: $am"
echo "$am" | grep -q '"state":"active"' || fail "not active in Alertmanager: $am"
note "$(echo "$am" | grep -o '"description":"[^"]*"')"
pass "AccountdFailcntIncreased{container=701,resource=numproc}: firing in Prometheus $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after the forks, in Alertmanager $(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s after"

# failures before the first scrape: a new series that starts above 0.
# The container must fail before a sampling round publishes it; when a
# round falls between the create and the forks (a few tens of ms of a
# 1 s round), another container is tried.
new=
for ct in 702 703 704; do
	actl create "$ct" --numproc 5 > /dev/null || fail "create $ct"
	actl exec "$ct" -- "$HELPERS/forker" 10 > /dev/null
	wait_for 20 sh -c "curl -s 'http://127.0.0.1:$p_prom/api/v1/query' --data-urlencode 'query=accountd_beancounter_failcnt_total{container=\"$ct\",resource=\"numproc\"} > 0' | grep -q '\"value\"'" ||
	    fail "numproc failcnt of $ct not scraped above 0"
	if q "min_over_time(accountd_beancounter_failcnt_total{container=\"$ct\",resource=\"numproc\"}[10m]) > 0" |
	    grep -q '"value"'; then
		new=$ct
		break
	fi
	note "$ct: a round published it before its forks; trying another"
done
[ -n "$new" ] || fail "no container failed before its first sample in 3 tries"
wait_for 20 sh -c "curl -s 'http://127.0.0.1:$p_prom/api/v1/alerts' | grep -q '\"container\":\"$new\".*\"state\":\"firing\"\|\"state\":\"firing\".*\"container\":\"$new\"'" ||
    fail "no alert for $new, whose series started above 0: $(curl -s "http://127.0.0.1:$p_prom/api/v1/alerts")"
pass "AccountdFailcntIncreased fires for $new, whose failcnt series started above 0"
am_has() {	# ALERTNAME CT
	curl -s "http://127.0.0.1:$p_am/api/v2/alerts?filter=alertname%3D%22$1%22&filter=container%3D%22$2%22" |
	    grep -q "\"container\":\"$2\""
}
wait_for 20 am_has AccountdFailcntIncreased "$new" ||
    fail "Alertmanager has no AccountdFailcntIncreased for $new"
wait_for 20 am_has AccountdFailcnt "$new" ||
    fail "Alertmanager has no AccountdFailcnt (accountd's own post) for $new"
pass "Alertmanager has $new's failure from both paths (the rule, accountd's post)"
exit 0
