#!/bin/bash
# Benchmark: what accountd-hook adds to a container's start (budget: p50
# <= 5 ms added).  The same runc, the same busybox bundle and payload
# (bench/hook-stamp, which prints the time as its first act), run N times
# without hooks, with hooks that run true(1) (the floor: runc's hook
# mechanism and an exec per stage) and with accountd-hook, interleaved in
# one run so that all see the same load.  Two figures each: start, from `runc run` to the payload's
# first instruction (createRuntime is in it), and the whole run, to runc's
# exit (poststop is in it).  The hooked container has saved settings (ram,
# swap, cpulimit, numproc, cpuunits), so the hook's time includes accountd
# applying them.
# Between two runs it pauses PAUSE seconds (default 0.15): on cgroup v1
# accountd registers a started container's memory events 100 ms after the
# start, holding its loop for an RCU grace period per registration (20 to
# 40 ms each); a container that does not start again within that time
# never waits for them.  PAUSE=0 measures back-to-back restarts of one
# container, where the next start's hook can wait behind them.
#   bench/hook-cost.sh [RUNS]     (default 50)
# Runs as root on this machine's cgroups, under a parent named for the run.
set -u
S=$(cd "$(dirname "$0")/.." && pwd)
B=${ACCT_BUILDDIR:-$S/_build}
N=${1:-50}
PAUSE=${PAUSE:-0.15}
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
# the floor: the same two hooks running a program that does nothing
# (what runc's hook mechanism and one exec per stage cost)
HOOK=$(type -P true) HOOK_ARGS=()
mk_bundle "$TDIR/b-noop" "$TDIR/rootfs" "/$PARENT/noop" yes '{}' /bin/hook-stamp

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
	one "$TDIR/b-noop" noop warm
	one "$TDIR/b-hooked" hooked warm
done
for i in $(seq 1 "$N"); do
	# the three in turn, each first in every third round
	for k in 0 1 2; do
		case $(( (i + k) % 3 )) in
		0) one "$TDIR/b-plain" plain plain ;;
		1) one "$TDIR/b-noop" noop noop ;;
		2) one "$TDIR/b-hooked" hooked hooked ;;
		esac
		sleep "$PAUSE"
	done
done
pct() {	# FILE P: nearest rank
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
		i = int(p * NR + 0.999999); if (i < 1) i = 1; print v[i] }'
}
echo "runc run of a busybox container, $N runs each, interleaved, $PAUSE s apart ($(runc --version | head -1)):"
row() {	# LABEL NAME
	printf '  %-26s start p50 %7.2f p99 %7.2f | whole run p50 %7.2f p99 %7.2f ms\n' "$1" \
	    "$(pct "$TDIR/$2.start" 0.5)" "$(pct "$TDIR/$2.start" 0.99)" \
	    "$(pct "$TDIR/$2.run" 0.5)" "$(pct "$TDIR/$2.run" 0.99)"
}
row "without hooks" plain
row "floor: hooks run true" noop
row "accountd-hook" hooked
awk -v h="$(pct "$TDIR/hooked.start" 0.5)" -v p="$(pct "$TDIR/plain.start" 0.5)" \
    -v n="$(pct "$TDIR/noop.start" 0.5)" -v hr="$(pct "$TDIR/hooked.run" 0.5)" \
    -v pr="$(pct "$TDIR/plain.run" 0.5)" -v nr="$(pct "$TDIR/noop.run" 0.5)" 'BEGIN {
	printf "  added at p50: start %.2f ms (floor %.2f ms), whole run %.2f ms (floor %.2f ms)\n",
	    h - p, n - p, hr - pr, nr - pr
	printf "  budget: p50 <= 5 ms added to the start: %.2f ms, %s\n", h - p,
	    h - p <= 5 ? "met" : "NOT met" }'
exit 0
