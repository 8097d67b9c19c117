#!/bin/bash
# What holds accountd's event loop while containers come and go (issue 14's
# soak: root's `acctctl set` p99 under churn).  A private daemon; a rolling
# window of N containers created (--ram 256M) and destroyed by one client,
# as bench/soak.sh does, beside root's `acctctl set` on a container of its
# own.  Two phases of SECONDS each:
#   1. untraced: create, destroy and root's set, p50/p99 in ms, the churn's
#      rate; root's set at rest first, as the floor in the same run;
#   2. strace -T of the daemon's main thread (the loop; workers are other
#      threads): its system calls over 15 ms, the longest ten, and the time
#      each call name took in all (strace slows every call: the figures
#      rank calls, they are not a latency).
#
# CHURN_STRACE=FILE keeps strace's output.
#
#	sudo bench/churn-calls.sh [BUILDDIR] [N] [SECONDS]   (_build, 200, 30)
set -u
B=$(cd "${1:-_build}" && pwd)
NCT=${2:-200}
SECS=${3:-30}
export ACCOUNTD=$B/accountd/accountd ACCTCTL=$B/cli/acctctl
. "$(dirname "$0")/../tests/integration/lib.sh"
T_NAME=churncalls
require_cgroups
command -v strace > /dev/null || fail "no strace (scripts/deps.sh installs it)"
start_daemon
note "accountd pid $DPID, state in $TDIR"

ms() {	# COMMAND...: its wall time in ms (3 decimals)
	local t0 t1
	t0=$(date +%s%N)
	"$@" > /dev/null 2>&1
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f\n", d / 1e6 }'
}
pct() {	# FILE P
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
	    i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print v[i] }'
}
setone() { actl set s0 --cpulimit $((RANDOM % 90 + 10)); }

actl create s0 --cpulimit 50 > /dev/null || fail "create s0"
for _ in $(seq 1 100); do ms setone; done > "$TDIR/idle.ms"

churn() {	# STOPFILE: create/destroy in a window of NCT until it exists
	local i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		ms actl create "k$((i % NCT))" --ram 256M >> "$TDIR/create.ms"
		[ "$i" -gt $((NCT / 2)) ] &&
		    ms actl destroy "k$(((i - NCT / 2) % NCT))" >> "$TDIR/destroy.ms"
	done
}
: > "$TDIR/create.ms"; : > "$TDIR/destroy.ms"
churn "$TDIR/stop" &
CHURN=$!
BGPIDS+=("$CHURN")
# the window full before measuring
for _ in $(seq 1 120); do
	[ "$(wc -l < "$TDIR/create.ms")" -ge "$NCT" ] && break
	sleep 1
done
: > "$TDIR/create.ms"; : > "$TDIR/destroy.ms"; : > "$TDIR/load.ms"
end=$(( $(date +%s) + SECS ))
while [ "$(date +%s)" -lt "$end" ]; do
	ms setone >> "$TDIR/load.ms"
	sleep 0.1
done
nc=$(wc -l < "$TDIR/create.ms")
echo "churn of $NCT containers, $SECS s untraced: $nc creates" \
    "($(awk -v n="$nc" -v s="$SECS" 'BEGIN { printf "%.1f", n / s }')/s)," \
    "$(wc -l < "$TDIR/destroy.ms") destroys"
for f in create destroy; do
	echo "$f: p50 $(pct "$TDIR/$f.ms" 50) ms, p99 $(pct "$TDIR/$f.ms" 99) ms"
done
echo "root set: at rest p50 $(pct "$TDIR/idle.ms" 50) ms p99" \
    "$(pct "$TDIR/idle.ms" 99) ms; under churn p50 $(pct "$TDIR/load.ms" 50)" \
    "ms p99 $(pct "$TDIR/load.ms" 99) ms ($(wc -l < "$TDIR/load.ms") sets)"

# phase 2: the loop's system calls
timeout -s INT "$SECS" strace -f -T -qq -o "$TDIR/strace" -p "$DPID" \
    > /dev/null 2>&1
touch "$TDIR/stop"
wait "$CHURN"
echo "strace -T of the loop (thread $DPID), $SECS s:"
awk -v tid="$DPID" '$1 == tid && match($0, /<[0-9.]+>$/) {
	t = substr($0, RSTART + 1, RLENGTH - 2) * 1000
	name = ($2 == "<...") ? $3 : $2; sub(/\(.*/, "", name)
	if (name == "epoll_wait")	# the loop at rest
		next
	n[name]++; sum[name] += t; calls++
	if (t > 15) { over++; overn[name]++ }
	print t, $0 > "/dev/stderr"
} END {
	printf "  %d calls, %d over 15 ms", calls, over
	for (k in overn) printf " (%s %d)", k, overn[k]
	printf "\n  time by call (ms):"
	for (k in sum) printf " %s %.0f/%d", k, sum[k], n[k]
	printf "\n"
}' "$TDIR/strace" 2> "$TDIR/calls"
[ -n "${CHURN_STRACE:-}" ] && cp "$TDIR/strace" "$CHURN_STRACE"
echo "  longest (epoll_wait, the loop at rest, left out):"
sort -rn "$TDIR/calls" | head -10 |
    awk '{ t = $1; $1 = ""; $2 = ""; printf "  %8.1f ms %s\n", t, substr($0, 1, 110) }'
