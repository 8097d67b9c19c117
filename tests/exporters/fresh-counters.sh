#!/bin/bash
# The counters that matter are current within one sample: a container
# throttled by its cpulimit has its throttled periods and time in
# /metrics (accountd-exporter) and in PCP (pmdaaccountd under a private
# pmcd, read with pminfo and pmval) within about one sampling interval of
# the kernel's own cpu.stat, all along its run, not only after a slow
# round (every 30th); and a fork burst between two samples reaches
# numproc's maxheld through the kernel's pids.peak, where it exists.
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
need curl "the HTTP client of this test"
[ -x "$HELPERS/cpuburn" ] || fail "no $HELPERS/cpuburn"
exp_tdir
p_exp=$(free_port)
start_exp_daemon "$p_exp"
actl create 611 --cpulimit 10 > /dev/null || fail "create 611"

PCP=no
PMCD=${PMCD:-/usr/lib/pcp/bin/pmcd}
if [ -x "$PMCD" ] && command -v pminfo > /dev/null && command -v pmval > /dev/null &&
    id pcp > /dev/null 2>&1 && [ -x "$PMDA" ]; then
	P=$TDIR/pcp
	mkdir -p "$P/tmp" "$P/run" "$P/log" "$P/var/config/pmda"
	chown -R pcp:pcp "$P"
	export PCP_TMP_DIR=$P/tmp PCP_RUN_DIR=$P/run PCP_LOG_DIR=$P/log PCP_VAR_DIR=$P/var
	{ printf 'root {\n\taccountd\n}\n\n'; "$PMDA" -N | sed 's/ACCOUNTD:/432:/'; } > "$P/root"
	printf 'accountd\t432\tpipe\tbinary\t%s -d 432 -s %s -l %s\n' "$PMDA" \
	    "$TDIR/run/snapshot" "$P/log/accountd.log" > "$P/pmcd.conf"
	spawn "$P/pmcd.out" "$PMCD" -f -c "$P/pmcd.conf" -n "$P/root" -i 127.0.0.1 \
	    -p "$(free_port)" -s "$P/run/pmcd.socket" -l "$P/log/pmcd.log"
	H=(-h "unix:$P/run/pmcd.socket")
	wait_for 10 pminfo "${H[@]}" accountd.running > /dev/null 2>&1 ||
	    fail "pmcd or the agent did not come up"
	PCP=yes
else
	note "no pcp (pmcd, pminfo, pmval, user pcp): PCP is not checked here (Debian: pcp)"
fi

kernel_thr() {	# nr_throttled of 611 from the kernel
	awk '$1 == "nr_throttled" { print $2 }' "$(cgdir cpu "$(ctcg 611)")/cpu.stat"
}
metrics_thr() {
	curl -s "http://127.0.0.1:$p_exp/metrics" |
	    awk '/^accountd_container_cpu_cfs_throttled_periods_total\{container="611"\}/ { print $2 }'
}
pcp_thr() {
	pminfo "${H[@]}" -f accountd.cpu.throttled_periods |
	    sed -n 's/.*"611"\] value \([0-9]*\).*/\1/p'
}
# the exported figure catches up with what the kernel had a moment ago
follows() {	# WHAT KERNEL_VALUE
	local v
	v=$("$1")
	echo "${v:-none}" > "$TDIR/seen"
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}

bg_in 611 "$HELPERS/cpuburn" 8
burner=$BGPID
wait_for 5 sh -c "[ \"\$(awk '\$1 == \"nr_throttled\" { print \$2 }' '$(cgdir cpu "$(ctcg 611)")/cpu.stat')\" -gt 0 ]" ||
    fail "611 was not throttled by the kernel (cpulimit 10)"
# three looks during the run, each against the kernel's figure of that
# moment: one sampling interval (1 s) and a scrape later, it is there
for look in 1 2 3; do
	k=$(kernel_thr)
	wait_for 3 follows metrics_thr "$k" ||
	    fail "look $look: /metrics shows $(cat "$TDIR/seen") throttled periods, the kernel had $k 3 s before"
	m=$(cat "$TDIR/seen")
	if [ "$PCP" = yes ]; then
		wait_for 3 follows pcp_thr "$k" ||
		    fail "look $look: PCP shows $(cat "$TDIR/seen") throttled periods, the kernel had $k 3 s before"
		note "look $look: kernel $k, /metrics $m, PCP $(cat "$TDIR/seen")"
	else
		note "look $look: kernel $k, /metrics $m"
	fi
	sleep 1
done
pass "throttled periods follow the kernel within a sample (/metrics${PCP/yes/, PCP})"
if [ "$PCP" = yes ]; then
	out=$(pmval "${H[@]}" -s 2 -t 1 -i 611 accountd.cpu.throttled 2>&1)
	echo "$out" | sed 's/^/# /'
	# pmval turns the counter of microseconds into a time utilization:
	# with a 10 % limit most of each second is spent throttled; a stale
	# counter gives 0
	echo "$out" | awk '$1 ~ /^[0-9.]+$/ && NF == 1 && $1 + 0 > 0.1 { n++ } END { exit !(n >= 1) }' ||
	    fail "pmval: no throttling rate for 611"
	pass "pmval: 611's throttled time grows every second"
fi
kill "$burner" 2> /dev/null
wait "$burner" 2> /dev/null

# a fork burst between two samples: maxheld from pids.peak
pk=$(cgdir pids "$(ctcg 611)")/pids.peak
if [ -f "$pk" ]; then
	[ -x "$HELPERS/forker" ] || fail "no $HELPERS/forker"
	actl exec 611 -- "$HELPERS/forker" 20 > /dev/null
	kp=$(cat "$pk")
	mh() { actl ubc 611 -j | tr -d ' \n' | grep -o '"resource":"numproc","held":[0-9]*,"maxheld":[0-9]*' |
	    sed 's/.*maxheld"://' > "$TDIR/mh"; [ "$(cat "$TDIR/mh")" -ge "$kp" ]; }
	wait_for 3 mh || fail "numproc maxheld $(cat "$TDIR/mh"), pids.peak $kp"
	pass "a fork burst of 20 between samples: numproc maxheld $(cat "$TDIR/mh") (pids.peak $kp)"
else
	note "no pids.peak on this kernel: numproc's maxheld is what samples see"
fi
exit 0
