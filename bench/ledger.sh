#!/bin/bash
# Benchmarks of the billing ledger (issue 8), figures beside budgets:
#   1. one interval's transaction for 10,000 containers (budget < 1 s),
#      and the writer's in-memory work per sampling round; the writing
#      is in accountd-ledger's own process, so accountd's sampling and
#      events never wait on it;
#   2. acctctl bill over a month of hourly records for 1,000 containers
#      (720,000 records; budget < 2 s), median of 5 runs, text and CSV,
#      and the raw export;
#   3. accountd-ledger on a synthetic feed of 10,000 containers at 1 Hz,
#      writing every 2 s: records written and the writer's CPU;
#   4. accountd-ledger idle on a snapshot of 10,000 containers that does
#      not change (accountd between rounds): the writer's CPU, beside the
#      cost of copying that snapshot once (what a look that copies pays
#      four times a second); with ACCT_LEDGER_OLD=path, that binary's
#      figure too.
#   bench/ledger.sh [quick]
set -uo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
quick=${1:-}
T=$(mktemp -d /tmp/acctd-bench-ledger.XXXXXX)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$T"' EXIT
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null || return 1
	t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }

echo "== writing an interval"
"$B/bench/ledger-bench" write 10000 ${quick:+3}${quick:-9} "$T"
rm -f "$T"/ledger.db*

echo "== acctctl bill over a month"
hours=720
[ -n "$quick" ] && hours=72
"$B/bench/ledger-bench" fill "$T/month.db" 1000 $hours
for fmt in text csv; do
	for _ in 1 2 3 4 5; do
		ms "$B/cli/acctctl" bill --ledger "$T/month.db" --from 2026-11-01 \
		    --to 2026-12-01 -o $fmt
	done | med | sed "s/^/acctctl bill -o $fmt, 1000 containers x $hours hours: median /; s/\$/ ms (budget: < 2000 ms)/"
done
for _ in 1 2 3; do
	ms "$B/cli/acctctl" bill --ledger "$T/month.db" --from 2026-11-01 \
	    --to 2026-12-01 --raw -o csv
done | med | sed "s/^/acctctl bill --raw -o csv ($((hours * 1000)) records): median /; s/\$/ ms/"

echo "== accountd-ledger on a live feed"
n=10000
[ -n "$quick" ] && n=1000
"$B/tests/ledger/ledger-feed" "$T/snap" $n 0 1000 &
sleep 0.5
"$B/ledger/accountd-ledger" -d -s "$T/snap" -f "$T/live.db" -i 2 -S "$T/st" 2> "$T/ledger.log" &
lp=$!
sleep 10.5
# utime + stime in clock ticks, fields 14 and 15 of /proc/PID/stat
cpu=$(awk '{ print $14 + $15 }' "/proc/$lp/stat")
kill -TERM $lp; wait $lp 2> /dev/null
recs=$("$B/cli/acctctl" bill --ledger "$T/live.db" --raw --from 2000-01-01 --to 2100-01-01 | wc -l)
echo "accountd-ledger, $n containers at 1 Hz, 2 s interval, 10 s:" \
    "$((recs - 1)) records, $(grep -c 'cannot write' "$T/ledger.log") write errors," \
    "CPU $((cpu * 1000 / $(getconf CLK_TCK))) ms ($((cpu * 100 / $(getconf CLK_TCK) / 10)) % of one core)"

echo "== accountd-ledger idle"
"$B/tests/ledger/ledger-feed" "$T/idle" $n 1 1000
idle_cpu() {	# LEDGER: CPU ms in 10 s on a snapshot without new rounds
	local lp t0 t1
	rm -f "$T/idle.db"*
	"$1" -d -s "$T/idle" -f "$T/idle.db" -i 3600 -S "$T/st" 2> /dev/null &
	lp=$!
	sleep 5		# the first look folds the round: not idle
	t0=$(awk '{ print $14 + $15 }' "/proc/$lp/stat")
	sleep 10
	t1=$(awk '{ print $14 + $15 }' "/proc/$lp/stat")
	kill -TERM $lp; wait $lp 2> /dev/null
	echo $(((t1 - t0) * 1000 / $(getconf CLK_TCK)))
}
copy_us=$(dd if="$T/idle" of=/dev/null bs=1M 2>&1 | awk '/copied/ { printf "%d", $(NF - 3) * 1000000 }')
echo "accountd-ledger idle, $n containers, 10 s: CPU $(idle_cpu "$B/ledger/accountd-ledger") ms" \
    "(floor: ~0; one copy of the $(( $(stat -c %s "$T/idle") >> 20 )) MiB snapshot: $copy_us us)"
if [ -n "${ACCT_LEDGER_OLD:-}" ]; then
	echo "  $ACCT_LEDGER_OLD, the same: CPU $(idle_cpu "$ACCT_LEDGER_OLD") ms"
fi
