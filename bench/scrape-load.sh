#!/bin/bash
# A scrape never blocks accountd: with /metrics hammered (the exporter of
# a private accountd, and a second exporter serving 10,000 synthetic
# containers republished every second, both scraped in loops with
# OpenMetrics and gzip, 100 scrapes per curl on one connection), measure
# beside the idle case:
#   - acctctl status round trip (p50, p99);
#   - accountd's sampling intervals (from its snapshot: median, p99, max);
#   - failcnt to event: a fork refused in a container (numproc) until the
#     line from `acctctl events -f` (includes acctctl exec's start-up).
# The exporter is a separate unprivileged process that reads a file, so
# what is left is CPU contention on this 2-core machine.
#   bench/scrape-load.sh [SECONDS]   (default 10 per measurement)
set -uo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
SECS=${1:-10}
[ "$(id -u)" = 0 ] || { echo "scrape-load: needs root"; exit 77; }
command -v curl > /dev/null || { echo "scrape-load: needs curl"; exit 77; }
T=$(mktemp -d /tmp/acctd-bench-scrape.XXXXXX)
chmod 755 "$T"
P=acctd-bench-scrape-$$
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null; done
	for d in /sys/fs/cgroup/*/"$P"; do
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2> /dev/null |
		    while read -r p; do kill -KILL "$p" 2> /dev/null; done
	done
	sleep 0.2
	for d in /sys/fs/cgroup/*/"$P"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2> /dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
port() { echo $(( 20000 + RANDOM % 40000 )); }
p1=$(port); p2=$(port)
"$B/accountd/accountd" -d -o run_dir="$T/run" -o state_dir="$T/state" \
    -o ct_conf_dir="$T/ct" -o cgroup_parent="$P" -o log_level=warn \
    -o exporter=yes -o http_listen="127.0.0.1:$p1" \
    -o exporter_path="$B/exporters/accountd-exporter" -o rrd_dir= \
    2> "$T/daemon.log" &
PIDS+=($!)
export ACCTCTL_SOCKET=$T/run/accountd.sock
A=$B/cli/acctctl
for _ in $(seq 100); do "$A" status > /dev/null 2>&1 && break; sleep 0.05; done
for i in $(seq 1 20); do "$A" create "b$i" --ram 64M > /dev/null; done
"$A" create ev --numproc 2 > /dev/null
"$B/tests/exporters/mksnap" "$T/big" 10000 v1 100000 &
PIDS+=($!)
sleep 1; chmod 644 "$T/big"
"$B/exporters/accountd-exporter" -d -l "127.0.0.1:$p2" -s "$T/big" 2> "$T/exp2.log" &
PIDS+=($!)
sleep 1

# failcnt -> event: each line of acctctl events -f stamped on arrival
mkfifo "$T/evfifo"
"$A" events -f ev > "$T/evfifo" &
PIDS+=($!)
while read -r _; do date +%s%N; done < "$T/evfifo" > "$T/evstamps" &
PIDS+=($!)
sleep 0.5

measure() {	# LABEL
	local lat=() n0 t0 t1
	echo "-- $1"
	"$B/bench/set-latency" 300 -- "$A" status --alt-- "$A" status |
	    grep 'p50=' | sed 's/^/  acctctl status round trip (a new process each): /'
	"$B/bench/exporter-bench" rounds "$T/run/snapshot" "$SECS"
	for _ in $(seq 1 10); do
		n0=$(wc -l < "$T/evstamps")
		t0=$(date +%s%N)
		"$A" exec ev -- "$B/tests/helpers/forker" 4 > /dev/null
		for _ in $(seq 1 200); do
			[ "$(wc -l < "$T/evstamps")" -gt "$n0" ] && break
			sleep 0.005
		done
		t1=$(sed -n "$((n0 + 1))p" "$T/evstamps")
		[ -n "$t1" ] && lat+=($(( (t1 - t0) / 1000 )))
		sleep 1.1	# one alert per round at most
	done
	printf '%s\n' "${lat[@]}" | sort -n | awk '{ v[NR] = $1 } END {
	    if (NR) printf "  failcnt -> event line: %d samples, median %.1f ms, max %.1f ms\n",
	        NR, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}

measure "idle (no scrapes)"
count=$T/scrapes
: > "$count"
# each curl fetches 100 times on one connection (keep-alive), so the load
# is scraping, not starting curl
for url in "http://127.0.0.1:$p2/metrics" "http://127.0.0.1:$p1/metrics" "http://127.0.0.1:$p2/metrics"; do
	cfg=$T/curl.$RANDOM
	for _ in $(seq 1 100); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done > "$cfg"
	( while :; do
		curl -s -K "$cfg" -H 'Accept-Encoding: gzip' \
		    -H 'Accept: application/openmetrics-text;version=1.0.0' \
		    -w '%{http_code}\n' >> "$count"
	done ) &
	PIDS+=($!)
done
s0=$(date +%s)
measure "3 scrape loops: 2 on 10,000 synthetic containers (new round every second), 1 on accountd's exporter"
s1=$(date +%s)
echo "  scrapes served meanwhile: $(grep -c '^200$' "$count") in $((s1 - s0)) s"
pidstat_line=$(ps -o pid,pcpu,rss,args -p "$(pgrep -P "${PIDS[0]}" -f accountd-exporter | head -1)" | tail -n 1)
echo "  accountd's exporter: $pidstat_line"
if kill -0 "${PIDS[2]}" 2> /dev/null; then
	ps -o pid,pcpu,rss,args -p "${PIDS[2]}" | tail -n 1 | sed 's/^/  10k exporter: /'
else
	echo "  10k exporter: gone!"; cat "$T/exp2.log"
fi
