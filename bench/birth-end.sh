#!/bin/bash
# Benchmark: what exact births and ends cost (docs/billing.md, "Birth and
# end"), beside today's per-container sampling cost, in one run:
#   1. sampling: accountd's CPU per container per sample with N idle
#      discovered cgroups (as bench/sampling.sh measures it);
#   2. a container's life under a discover= parent, one after the other,
#      M times: mkdir (inotify IN_CREATE: a birth seen, a rescan at once),
#      start, `acctctl exec CT -- true` (the attach request; the pidfd's
#      exit read: the end read, both tiers), rmdir (the departed record):
#      accountd's CPU per life, less the idle sampling of the same time;
#      and inside it, from accountd's debug log, the two new parts: the
#      end read (sampler_final) and the handling of the inotify event of
#      a birth (ct_born_path: a scan of the registry), each in CPU time;
#   3. the floor of one end read: pread of every file of one container,
#      both tiers (bench/sample-floor with every round a slow one).
#   bench/birth-end.sh [N] [M] [SECONDS]
set -euo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
N=${1:-200}
M=${2:-100}
S=${3:-10}
SLOW=$(awk '/define BC_SLOW_EVERY/ { print $3 }' "$(dirname "$0")/../accountd/beancounter.h")
[ "$(id -u)" = 0 ] || { echo "birth-end: needs root"; exit 77; }
P=acctd-bench-birth-$$
T=$(mktemp -d /tmp/acctd-bench.XXXXXX)
R=/sys/fs/cgroup
v2=false; [ -f $R/cgroup.controllers ] && v2=true
hiers=()
if $v2; then hiers=("$R/"); else
	for h in "$R"/*/; do
		[ -f "${h}cgroup.procs" ] || continue
		case $h in */systemd/|*/unified/) continue ;; esac
		hiers+=("$h")
	done
fi
cleanup() {
	[ -n "${D:-}" ] && kill "$D" 2> /dev/null && wait "$D" 2> /dev/null
	for h in "${hiers[@]}"; do for p in "$h$P" "$h$P-own" "$h$P-life"; do
		[ -d "$p" ] && find "$p" -depth -type d -exec rmdir {} + 2> /dev/null
	done; done
	rm -rf "$T"
}
trap cleanup EXIT
mk() {	# RELPATH: in every hierarchy, cpuset levels filled
	local h
	for h in "${hiers[@]}"; do
		mkdir "$h$1"
		if [ -f "$h$1/cpuset.cpus" ] && [ -z "$(cat "$h$1/cpuset.cpus")" ]; then
			cat "$(dirname "$h$1")/cpuset.cpus" > "$h$1/cpuset.cpus"
			cat "$(dirname "$h$1")/cpuset.mems" > "$h$1/cpuset.mems"
		fi
	done
}
rm_() { local h; for h in "${hiers[@]}"; do rmdir "$h$1"; done; }

echo "making $N cgroups under $P ($($v2 && echo v2 || echo v1))"
mk "$P"
$v2 && echo "+memory +cpu +pids +io" > "$R/$P/cgroup.subtree_control"
for i in $(seq -f %05g 1 "$N"); do mk "$P/c$i"; done
mk "$P-life"
$v2 && echo "+memory +cpu +pids +io" > "$R/$P-life/cgroup.subtree_control"
"$B/accountd/accountd" -d -o run_dir="$T/run" -o state_dir="$T/state" \
    -o ct_conf_dir="$T/ct" -o cgroup_parent="$P-own" -o log_level=debug \
    -o "discover=$P/%n" -o "discover=$P-life/%n" -o rescan_interval=0 \
    -o ledger=no 2> "$T/log" &
D=$!
export ACCTCTL_SOCKET=$T/run/accountd.sock
for _ in $(seq 200); do
	n=$("$B/cli/acctctl" list -H -o ctid 2> /dev/null | wc -l) || true
	[ "$n" -ge "$N" ] && break
	sleep 0.1
done
cpu() { awk '{ print $1 }' "/proc/$D/schedstat"; }	# ns on CPU
now() { date +%s%N; }
sleep 2
echo "1. sampling $n idle containers every second for $S s"
c0=$(cpu); sleep "$S"; c1=$(cpu)
per=$(awk -v c=$((c1 - c0)) -v s="$S" -v n="$N" 'BEGIN { printf "%.2f", c / 1000 / s / n }')
idle=$(awk -v c=$((c1 - c0)) -v s="$S" 'BEGIN { printf "%.0f", c / s }')	# ns/s

echo "2. $M lives under $P-life: mkdir, acctctl exec -- true, rmdir"
c0=$(cpu); t0=$(now)
for i in $(seq -f %04g 1 "$M"); do
	mk "$P-life/l$i"
	for _ in $(seq 100); do
		"$B/cli/acctctl" exec "l$i" -- true 2> /dev/null && break
		sleep 0.005
	done
	rm_ "$P-life/l$i"
done
c1=$(cpu); t1=$(now)
sleep 1.5	# the last rescans and departed records
life=$(awk -v c=$((c1 - c0)) -v i="$idle" -v t=$((t1 - t0)) -v m="$M" \
    'BEGIN { printf "%.1f", (c - i * t / 1e9) / 1000 / m }')
med() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", v[int((NR + 1) / 2)]; else printf "-" }'; }
endread=$(sed -n 's/.*: end read in \([0-9.]*\) us$/\1/p' "$T/log" | med)
birth=$(sed -n 's/.*: birth seen in \([0-9.]*\) us$/\1/p' "$T/log" | med)
{ grep -E '\[(warn|err)\]' "$T/log" || true; } | tail -5 | sed 's/^/accountd: /'

echo "3. floor of an end read: every file of the $N containers, both tiers, $S rounds"
"$B/bench/sample-floor" "$D" "/$P/" "$S" 1 0 > "$T/floor"
read -r files rounds fcpu < <(sed 's/[a-z_]*=//g' "$T/floor")
endfloor=$(awk -v c="$fcpu" -v r="$rounds" -v n="$N" 'BEGIN { printf "%.2f", c / r / n }')
awk -v a="$per" -v l="$life" -v e="$endfloor" -v f="$files" -v n="$N" -v s="$SLOW" \
    -v er="$endread" -v b="$birth" 'BEGIN {
	printf "sampling:   %.2f us per container per sample (daemon CPU; slow tier every %d)\n", a, s
	printf "a life:     %.1f us of daemon CPU per container (birth by inotify, start, attach, exit read, departed record) = %.0f samples\n", l, l / a
	printf "end read:   %s us (median, daemon CPU; both tiers) = %.1f samples; floor %.2f us (pread of its %.0f files)\n", er, er / a, e, f / n
	printf "birth seen: %s us (median, daemon CPU per inotify event, %d containers registered)\n", b, n
}'
