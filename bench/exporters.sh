#!/bin/bash
# Benchmarks of the exporters (issue 5), figures printed beside budgets:
#   1. /metrics render time and size at 1,000 and 10,000 containers
#      (synthetic snapshots; budget <= 20 ms and <= 200 ms), gzip, the
#      dashboard, a whole new-round scrape, memory; a new round's scrape
#      the way the exporter makes it, in pieces (goal <= 50 ms at 10,000
#      with a busy tenth; also every container busy, and metrics_detail =
#      basic), beside the whole body made in one go in the same rounds;
#   2. RRD updates for 1,000 containers, direct and through rrdcached;
#   3. a scrape storm beside a private accountd: acctctl status round
#      trips, accountd's sampling intervals and failcnt-to-event latency,
#      idle and while /metrics is hammered (scrape-load.sh).
#   bench/exporters.sh [quick]
set -uo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
S=$(cd "$(dirname "$0")" && pwd)
quick=${1:-}
echo "== /metrics rendering"
"$B/bench/exporter-bench" render 1000 51
"$B/bench/exporter-bench" render 10000 ${quick:+5}${quick:-21}
echo "== a new round's /metrics scrape in pieces (exporters/mcache.c)"
"$B/bench/exporter-bench" scrape 10000 ${quick:+3}${quick:-15} 10 10
"$B/bench/exporter-bench" scrape 10000 ${quick:+3}${quick:-9} 100 0
"$B/bench/exporter-bench" scrape 10000 ${quick:+3}${quick:-15} 10 10 basic
echo "== RRD updates"
T=$(mktemp -d /tmp/acctd-bench-rrd.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=1000
[ -n "$quick" ] && n=100
"$B/bench/exporter-bench" rrd "$n" 20 "$T" 10
rm -f "$T"/*.rrd
if command -v rrdcached > /dev/null; then
	mkdir -p "$T/journal"
	rrdcached -g -m 0666 -l "unix:$T/rrdcached.sock" -w 3600 -z 60 \
	    -j "$T/journal" > "$T/rrdcached.log" 2>&1 &
	rc=$!
	for _ in $(seq 50); do [ -S "$T/rrdcached.sock" ] && break; sleep 0.1; done
	"$B/bench/exporter-bench" rrd "$n" 20 "$T" 10 "unix:$T/rrdcached.sock"
	kill "$rc"; wait "$rc" 2> /dev/null
fi
rm -f "$T"/*.rrd
if [ "$(id -u)" = 0 ]; then
	echo "== scrapes beside accountd"
	bash "$S/scrape-load.sh" ${quick:+5}
else
	echo "== scrapes beside accountd: skipped (needs root)"
fi
