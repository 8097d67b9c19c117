#!/bin/bash
# Benchmark: what accountd-hook adds to a container's start (budget: p50
# <= 5 ms added).  The same runc, the same busybox bundle and payload
# (bench/hook-stamp, which prints the time as its first act), run N times
# with and without the hooks, interleaved in one run so that both see the
# same load.  Two figures each: start, from `runc run` to the payload's
# first instruction (createRuntime is in it), and the whole run, to runc's
# exit (poststop is in it).  The hooked container has saved settings (ram,
# swap, cpulimit, numproc, cpuunits), so the hook's time includes accountd
# applying them.
#   bench/hook-cost.sh [RUNS]     (default 50)
# Runs as root on this machine's cgroups, under a parent named for the run.
set -u
S=$(cd "$(dirname "$0")/.." && pwd)
B=${ACCT_BUILDDIR:-$S/_build}
N=${1:-50}
export ACCOUNTD=${ACCOUNTD:-$B/accountd/accountd}
export ACCTCTL=${ACCTCTL:-$B/cli/acctctl}
export ACCT_HOOK=${ACCT_HOOK:-$B/hook/accountd-hook}
export ACCT_HELPERS=${ACCT_HELPERS:-$B/tests/helpers}
. "$S/tests/integration/lib.sh"
. "$S/tests/integration/lib-runc.sh"
T_NAME=hook-cost
require_cgroups > /dev/null
require_runc
prepare_tdir
trap 'rc=$?; runc_cleanup; (exit $rc); cleanup' EXIT
RUNC_FLAGS=
[ "$(awk '$2 == "/" { print $3; exit }' /proc/mounts)" = rootfs ] &&
    RUNC_FLAGS=--no-pivot

mkdir -p "$TDIR/ct"
printf 'run_dir = %s\nhook_failure = refuse\nlog_level = warn\n' "$TDIR/run" \
    > "$TDIR/accountd.conf"
printf 'PHYSPAGES="0:256M"\nSWAPPAGES="0:128M"\nCPULIMIT="50"\nNUMPROC="100:100"\nCPUUNITS="500"\n' \
    > "$TDIR/ct/hooked.conf"
start_daemon -f "$TDIR/accountd.conf"
HOOK_ARGS=(-f "$TDIR/accountd.conf")
STAMP=$B/bench/hook-stamp
[ -x "$STAMP" ] || fail "no $STAMP (make bench/hook-stamp)"
mk_rootfs "$TDIR/rootfs"
cp "$STAMP" "$TDIR/rootfs/bin/hook-stamp"
mk_bundle "$TDIR/b-plain" "$TDIR/rootfs" "/$PARENT/plain" no '{}' /bin/hook-stamp
mk_bundle "$TDIR/b-hooked" "$TDIR/rootfs" "/$PARENT/hooked" yes '{}' /bin/hook-stamp

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'; }
one() {	# BUNDLE ID NAME: start and whole-run times into NAME.start, NAME.run
	local t0=$EPOCHREALTIME t1 stamp
	stamp=$(runc_run "$1" "$2" 2> "$TDIR/err") ||
	    fail "runc run $2 failed: $(cat "$TDIR/err")"
	t1=$EPOCHREALTIME
	ms "$t0" "$stamp" >> "$TDIR/$3.start"
	ms "$t0" "$t1" >> "$TDIR/$3.run"
}
# two warm-up runs each (page cache, runc's first start)
for _ in 1 2; do
	one "$TDIR/b-plain" plain warm
	one "$TDIR/b-hooked" hooked warm
done
for i in $(seq 1 "$N"); do
	if [ $((i % 2)) = 0 ]; then	# alternate which goes first
		one "$TDIR/b-plain" plain plain
		one "$TDIR/b-hooked" hooked hooked
	else
		one "$TDIR/b-hooked" hooked hooked
		one "$TDIR/b-plain" plain plain
	fi
done
pct() {	# FILE P: nearest rank
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
		i = int(p * NR + 0.999999); if (i < 1) i = 1; print v[i] }'
}
echo "runc run of a busybox container, $N runs each, interleaved ($(runc --version | head -1)):"
line() {	# LABEL FILE-PLAIN FILE-HOOKED
	local a50 a99 b50 b99
	a50=$(pct "$2" 0.5) a99=$(pct "$2" 0.99)
	b50=$(pct "$3" 0.5) b99=$(pct "$3" 0.99)
	printf '  %-34s without hooks p50 %7.2f p99 %7.2f | accountd-hook p50 %7.2f p99 %7.2f | added p50 %6.2f ms\n' \
	    "$1" "$a50" "$a99" "$b50" "$b99" "$(awk -v a="$b50" -v b="$a50" 'BEGIN { print a - b }')"
}
line "start (to the first instruction)" "$TDIR/plain.start" "$TDIR/hooked.start"
line "whole run (to runc's exit)" "$TDIR/plain.run" "$TDIR/hooked.run"
awk -v a="$(pct "$TDIR/hooked.start" 0.5)" -v b="$(pct "$TDIR/plain.start" 0.5)" 'BEGIN {
	printf "  budget: p50 <= 5 ms added to the start: %.2f ms, %s\n", a - b,
	    a - b <= 5 ? "met" : "NOT met" }'
exit 0
