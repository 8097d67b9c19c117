#!/bin/bash
# Benchmark (cgroup v1): what polling pids.events costs, per 1,000
# containers with a numproc limit.  v1 sends no notification when the pids
# controller refuses a fork, so accountd reads each such container's
# pids.events every pids_poll_interval (default 4 ms).  N real cgroups are
# adopted with a numproc limit; accountd's CPU is measured for SECONDS with
# the poll at INTERVAL ms and again with it at 60 s (nothing else
# differs), and the difference is the poll's cost; beside it, in the same
# run, the floor: a bare loop reading the same files with pread on the
# same schedule (bench/pids-floor).  Twice: with every container at its
# limit (one sleeping process each, numproc 1: each is read every poll),
# and with every container below it (numproc 100, no process: the host's
# forks since a container's last read cannot fill it, so the poll reads
# /proc/loadavg and nothing else; see forks_now() in accountd/sampler.c).
#   bench/pids-poll-cost.sh [N] [SECONDS] [INTERVAL]   (1000, 20, 4)
set -euo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
N=${1:-1000}
S=${2:-20}
I=${3:-4}
[ "$(id -u)" = 0 ] || { echo "pids-poll-cost: needs root"; exit 77; }
R=/sys/fs/cgroup
[ -f $R/cgroup.controllers ] && { echo "pids-poll-cost: cgroup v2 notifies (inotify on pids.events): no poll to measure"; exit 77; }
[ -d $R/pids ] || { echo "pids-poll-cost: no v1 pids hierarchy"; exit 77; }
P=acctd-bench-pids-$$
T=$(mktemp -d /tmp/acctd-bench.XXXXXX)
SLEEPERS=()
cleanup() {
	[ -n "${D:-}" ] && kill "$D" 2> /dev/null && wait "$D" 2> /dev/null
	[ ${#SLEEPERS[@]} -gt 0 ] && kill "${SLEEPERS[@]}" 2> /dev/null
	for h in "$R"/*/; do for p in "$h$P" "$h$P-own"; do
		[ -d "$p" ] && find "$p" -depth -type d -exec rmdir {} +
	done; done
	rm -rf "$T"
}
trap cleanup EXIT

echo "making $N cgroups under $P (v1), each adopted with numproc 100"
. "$(dirname "$0")/lib-cgroups.sh"
make_cgroups "$R" "$P" "$N"
mkdir -p "$T/ct"
confs() {	# NUMPROC
	for i in $(seq -f %05g 1 "$N"); do
		printf 'CGROUP="%s/c%s"\nNUMPROC="%s:%s"\n' "$P" "$i" "$1" "$1" > "$T/ct/c$i.conf"
	done
}
cpu() { awk '{ print $1 }' "/proc/$D/schedstat"; }	# ns on CPU
run() {	# run INTERVAL NUMPROC: accountd's CPU ns over S seconds
	confs "$2"
	"$B/accountd/accountd" -d -o run_dir="$T/run" -o state_dir="$T/state" \
	    -o ct_conf_dir="$T/ct" -o cgroup_parent="$P-own" -o log_level=warn \
	    -o pids_poll_interval="$1" -o rescan_interval=0 2> "$T/log" &
	D=$!
	export ACCTCTL_SOCKET=$T/run/accountd.sock
	for _ in $(seq 600); do
		n=$("$B/cli/acctctl" list -H -o ctid 2> /dev/null | wc -l) || true
		[ "$n" -ge "$N" ] && break
		sleep 0.1
	done
	[ "$n" -ge "$N" ] || { echo "accountd runs $n of $N containers" >&2; exit 1; }
	[ "$(cat "$R/pids/$P/c00001/pids.max")" = "$2" ] ||
	    { echo "c00001: pids.max is not $2" >&2; exit 1; }
	sleep 2
	c0=$(cpu); sleep "$S"; c1=$(cpu)
	kill "$D"; wait "$D" 2> /dev/null || true; D=
	echo $((c1 - c0))
}
echo "accountd with pids_poll_interval=$I, every container below its limit, $S s:"
below=$(run "$I" 100)
echo "accountd with pids_poll_interval=60000 (no poll), $S s:"
off=$(run 60000 100)
# one sleeping process in each container: numproc 1 is its limit
for i in $(seq -f %05g 1 "$N"); do
	sleep 3600 &
	SLEEPERS+=("$!")
	echo "$!" > "$R/pids/$P/c$i/cgroup.procs"
done
echo "accountd with pids_poll_interval=$I, every container at its limit, $S s:"
on=$(run "$I" 1)
echo "floor: pread of the same $N pids.events every $I ms, $S s:"
read -r _ rounds fcpu < <("$B/bench/pids-floor" "$I" "$S" "$R"/pids/"$P"/c*/pids.events |
    sed 's/[a-z_]*=//g')
awk -v on="$on" -v off="$off" -v f="$fcpu" -v s="$S" -v n="$N" -v i="$I" \
    -v r="$rounds" -v below="$below" 'BEGIN {
	poll = (on - off) / s / 1e9 * 100 * 1000 / n
	pb = (below - off) / s / 1e9 * 100 * 1000 / n
	fl = f / s / 1e9 * 100 * 1000 / n
	printf "accountd, whole daemon: %.2f %% of a core with the poll (at the limit), " \
	    "%.2f %% (below it), %.2f %% without\n", on / s / 1e7, below / s / 1e7, off / s / 1e7
	printf "the poll every %d ms, containers at their limit: %.1f %% of a core per " \
	    "1,000 containers (%.2f us per container per poll)\n", i, poll,
	    poll / 100 * 1e6 / 1000 / (1000 / i)
	printf "the poll every %d ms, containers below it (the fork gate): %.2f %% of a " \
	    "core per 1,000 containers\n", i, pb
	printf "floor, pread alone:    %.1f %% of a core per 1,000 containers " \
	    "(%d rounds of %d due); accountd/floor %.2f\n", fl, r, s * 1000 / i,
	    poll / fl
}'
