#!/bin/bash
# Benchmark: what sampling costs, per container and sample, for N real
# cgroups (default 1000), beside the floor: pread of the very files
# accountd keeps open, on the same schedule, measured in the same run.
# Budgets: <= 1.5 x the floor; 10,000 containers at 1 Hz <= 25 % of a core.
#   bench/sampling.sh [N] [SECONDS]
set -euo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
N=${1:-1000}
S=${2:-30}
SLOW=$(awk '/define BC_SLOW_EVERY/ { print $3 }' "$(dirname "$0")/../accountd/beancounter.h")
[ "$(id -u)" = 0 ] || { echo "sampling: needs root"; exit 77; }
P=acctd-bench-sampling-$$
T=$(mktemp -d /tmp/acctd-bench.XXXXXX)
R=/sys/fs/cgroup
v2=false; [ -f $R/cgroup.controllers ] && v2=true
cleanup() {
	[ -n "${D:-}" ] && kill "$D" 2> /dev/null && wait "$D" 2> /dev/null
	# $P-own: the parent accountd makes for containers of its own
	if $v2; then find "$R/$P" "$R/$P-own" -depth -type d -exec rmdir {} + 2> /dev/null || true
	else for h in "$R"/*/; do for p in "$h$P" "$h$P-own"; do
		[ -d "$p" ] && find "$p" -depth -type d -exec rmdir {} +
	done; done; fi
	rm -rf "$T"
}
trap cleanup EXIT

echo "making $N cgroups under $P ($($v2 && echo v2 || echo v1))"
. "$(dirname "$0")/lib-cgroups.sh"
make_cgroups "$R" "$P" "$N"
# ACCT_BENCH_LIMITS=1: every container has limits accountd applied (ram,
# cpulimit, cpuunits; no numproc, whose v1 polling would swamp the rest),
# adopted through a CTID.conf with CGROUP=, so their files are followed
# for drift (bench/drift-cost.sh)
if [ -n "${ACCT_BENCH_LIMITS:-}" ]; then
	mkdir -p "$T/ct"
	for i in $(seq -f %05g 1 "$N"); do
		printf 'CGROUP="%s/c%s"\nPHYSPAGES="0:65536"\nCPULIMIT="50"\nCPUUNITS="500"\n' \
		    "$P" "$i" > "$T/ct/c$i.conf"
	done
fi
"$B/accountd/accountd" -d -o run_dir="$T/run" -o state_dir="$T/state" \
    -o ct_conf_dir="$T/ct" -o cgroup_parent="$P-own" -o log_level=warn \
    -o "discover=$P/%n" -o rescan_interval=0 2> "$T/log" &
D=$!
export ACCTCTL_SOCKET=$T/run/accountd.sock
for _ in $(seq 200); do
	n=$("$B/cli/acctctl" list -H -o ctid 2> /dev/null | wc -l) || true
	[ "$n" -ge "$N" ] && break
	sleep 0.1
done
echo "accountd manages $n containers; sampling every second for $S s"
[ -n "${ACCT_BENCH_LIMITS:-}" ] && echo "limits in force on c00001:" \
    "$("$B/cli/acctctl" show c00001 | grep -c enforced) parameters"
sleep 2
cpu() { awk '{ print $1 }' "/proc/$D/schedstat"; }	# ns on CPU
c0=$(cpu); sleep "$S"; c1=$(cpu)
per=$(awk -v c=$((c1 - c0)) -v s="$S" -v n="$N" 'BEGIN { printf "%.2f", c / 1000 / s / n }')
echo "floor: the same files read by a bare loop at the same cadence, $S s"
"$B/bench/sample-floor" "$D" "/$P/" "$S" "$SLOW" 1000 > "$T/floor"
read -r files rounds fcpu < <(sed 's/[a-z_]*=//g' "$T/floor")
floor=$(awk -v c="$fcpu" -v r="$rounds" -v n="$N" 'BEGIN { printf "%.2f", c / r / n }')
echo "files read: $files for $N containers (fast tier every sample, the rest every $SLOW)"
awk -v a="$per" -v f="$floor" -v n="$N" 'BEGIN {
	printf "accountd: %.2f us per container per sample (whole daemon CPU / samples)\n", a
	printf "floor:    %.2f us per container per sample (pread of the same files, same schedule)\n", f
	printf "ratio:    %.2f x the floor (budget <= 1.5)\n", a / f
	printf "10,000 containers at 1 Hz: %.1f %% of one core (budget <= 25 %%)\n", a * 10000 / 1e6 * 100
}'
ps -o rss= -p "$D" | awk -v n="$N" '{ printf "accountd RSS with %d containers: %.1f MiB (budget at 1,000: <= 32 MiB)\n", n, $1 / 1024 }'
