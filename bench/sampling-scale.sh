#!/bin/bash
# Benchmark (issue 17, goal 1): sampling at scale, idle-dominated.  Makes
# real cgroups under a parent named for the run, in steps (default 10000
# 20000 30000), a tenth of them busy (a process in each runs 20 us of CPU
# every 500 ms, so its counters move between two samples) and the rest
# idle.  At each step it starts accountd on all of them (discover=) and
# prints, after BC_TRIM_AFTER + 5 s (idle containers' counter files given
# back) and over SECONDS (default 30: every container's slow tier once, and
# the full read of a quarter of the idle ones, BC_IDLE_EVERY being 120):
#   - accountd's CPU per container per second (whole daemon, schedstat);
#   - the floor in the same run: a bare loop that reads the same files on
#     the same schedule (every container's CPU counter every second, a
#     busy one's fast tier every second and slow tier every 30th, an idle
#     one's both tiers every 120th), keeping as many descriptors as
#     accountd may (the open-file limit less 512) and opening the rest
#     relative to their hierarchy, as accountd does;
#   - accountd's RSS and descriptors, and the kernel memory the cgroups
#     take (/proc/meminfo: Slab + Percpu + KernelStack, before and after);
# and at the end a linear fit of CPU and RSS over the steps, extrapolated
# to 100,000 containers.  Budget (issue 17): <= 10 us per container per
# second, RSS <= 512 MiB at 100,000, within the descriptor limit.
#   bench/sampling-scale.sh [SECONDS] [STEP...]
# ACCT_BENCH_BASE=BUILDDIR: also run that build's accountd at each step
# (the tree before the idle gate: before and after in one run), e.g.
#   git archive 0cbb023 | tar -x -C /tmp/base && (cd /tmp/base &&
#   scripts/build.sh _build)   then ACCT_BENCH_BASE=/tmp/base/_build
# Not part of `make bench` (it takes minutes and 30,000 cgroups).
set -euo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
S=${1:-30}
shift || true
STEPS=${*:-10000 20000 30000}
BASE=${ACCT_BENCH_BASE:-}
H=$(dirname "$0")/../accountd/beancounter.h
SLOW=$(awk '/define BC_SLOW_EVERY/ { print $3 }' "$H")
IDLE=$(awk '/define BC_IDLE_EVERY/ { print $3 }' "$H")
TRIM=$(awk '/define BC_TRIM_AFTER/ { print $3 }' "$H")
[ "$(id -u)" = 0 ] || { echo "sampling-scale: needs root"; exit 77; }
for p in accountd/accountd cli/acctctl bench/sample-busy bench/sample-scale-floor; do
	[ -x "$B/$p" ] || { echo "sampling-scale: $B/$p missing (make -C $B bench/sample-busy bench/sample-scale-floor)"; exit 1; }
done
[ -z "$BASE" ] || [ -x "$BASE/accountd/accountd" ] ||
    { echo "sampling-scale: $BASE/accountd/accountd missing"; exit 1; }
P=acctd-bench-scale-$$
T=$(mktemp -d /tmp/acctd-bench.XXXXXX)
R=/sys/fs/cgroup
v2=false; [ -f $R/cgroup.controllers ] && v2=true
D=
BUSY=()
hiers=()
if $v2; then hiers=("$R")
else for h in "$R"/*/; do
	[ -f "${h}cgroup.procs" ] || continue
	case $h in */systemd/|*/unified/) continue ;; esac
	hiers+=("${h%/}")
done; fi
stop_daemon() {
	[ -n "$D" ] || return 0
	kill "$D" 2> /dev/null || true
	wait "$D" 2> /dev/null || true
	D=
}
cleanup() {
	stop_daemon
	for b in "${BUSY[@]}"; do kill "$b" 2> /dev/null || true; done
	for b in "${BUSY[@]}"; do wait "$b" 2> /dev/null || true; done
	# the busy children die with their parent (PR_SET_PDEATHSIG): a
	# cgroup is removable once its last one is reaped
	for _ in $(seq 50); do
		left=0
		for h in "${hiers[@]}"; do for p in "$h/$P" "$h/$P-own"; do
			[ -d "$p" ] || continue
			find "$p" -depth -type d -exec rmdir {} + 2> /dev/null || true
			[ -d "$p" ] && left=1
		done; done
		[ "$left" = 0 ] && break
		sleep 0.2
	done
	[ "$left" = 0 ] || echo "sampling-scale: could not remove every cgroup under $P"
	rm -rf "$T"
}
trap cleanup EXIT
kmem() { awk '/^(Slab|Percpu|KernelStack):/ { s += $2 } END { print s }' /proc/meminfo; }
limit=$(ulimit -Hn)
fds=$((limit > 512 ? limit - 512 : 0))
echo "sampling-scale: $($v2 && echo v2 || echo v1), $(nproc) CPUs, open-file limit $limit" \
    "(accountd keeps up to $fds descriptors), ${S} s per measurement, steps: $STEPS"
for h in "${hiers[@]}"; do
	mkdir "$h/$P"
	if [ -f "$h/$P/cpuset.cpus" ]; then
		cat "$h/cpuset.cpus" > "$h/$P/cpuset.cpus"
		cat "$h/cpuset.mems" > "$h/$P/cpuset.mems"
		# new cpusets below copy these (or no task could join them)
		echo 1 > "$h/$P/cgroup.clone_children"
	fi
done
$v2 && echo "+memory +cpu +pids +io" > "$R/$P/cgroup.subtree_control"

# the files each container's sample reads (accountd/beancounter.c), as
# HIERARCHY/FILE, those that exist here
if $v2; then
	gate=cpu.stat
	fast="memory.current memory.events memory.swap.current memory.swap.events pids.current pids.events pids.peak"
	slow="memory.max memory.peak memory.swap.max memory.swap.peak pids.max memory.stat io.stat cpu.pressure memory.pressure io.pressure"
	where() { echo .; }
else
	gate=cpuacct.usage
	fast="memory.usage_in_bytes memory.failcnt memory.memsw.usage_in_bytes memory.memsw.failcnt memory.oom_control pids.current pids.events pids.peak cpu.stat"
	slow="memory.limit_in_bytes memory.max_usage_in_bytes memory.memsw.limit_in_bytes memory.memsw.max_usage_in_bytes pids.max memory.kmem.usage_in_bytes memory.kmem.max_usage_in_bytes memory.kmem.failcnt memory.kmem.limit_in_bytes memory.kmem.tcp.usage_in_bytes memory.kmem.tcp.max_usage_in_bytes memory.kmem.tcp.failcnt memory.kmem.tcp.limit_in_bytes memory.stat blkio.throttle.io_service_bytes_recursive blkio.throttle.io_serviced_recursive"
	where() { case $1 in cpu.stat) echo cpu ;; blkio.*) echo blkio ;; *) echo "${1%%.*}" ;; esac; }
fi
for h in "${hiers[@]}"; do mkdir "$h/$P/probe"; done
present() { for f in "$@"; do [ -e "$R/$(where "$f")/$P/probe/$f" ] && echo "$(where "$f")/$f"; done; }
# shellcheck disable=SC2086
{ G=$(present $gate); F=$(present $fast | tr '\n' ' '); SL=$(present $slow | tr '\n' ' '); }
for h in "${hiers[@]}"; do rmdir "$h/$P/probe" 2> /dev/null || true; done
echo "files per container: 1 gate ($G), $(wc -w <<< "$F") fast, $(wc -w <<< "$SL") slow"

k_base=$(kmem)
made=0
declare -a res_n=() res_cpu=() res_rss=()
run_daemon() {	# BUILDDIR NAME N: start, wait for N containers, measure
	local b=$1 name=$2 n=$3 t0 t1 c0 c1 k0 k1 got=0
	rm -rf "$T/run" "$T/state" "$T/ct"
	mkdir -p "$T/ct"
	k0=$(kmem)
	t0=$(date +%s.%N)
	"$b/accountd/accountd" -d -o run_dir="$T/run" -o state_dir="$T/state" \
	    -o ct_conf_dir="$T/ct" -o cgroup_parent="$P-own" -o log_level=debug \
	    -o "discover=$P/%n" -o rescan_interval=0 2> "$T/log.$name.$n" &
	D=$!
	# the start-up line counts what the first scan found (acctctl list
	# at 10,000 containers takes seconds a call, and slows the start)
	for _ in $(seq 2400); do
		got=$(sed -n 's/.* ready: \([0-9]*\) containers.*/\1/p' \
		    "$T/log.$name.$n" 2> /dev/null || true)
		[ "${got:-0}" -ge "$n" ] && break
		sleep 0.25
	done
	t1=$(date +%s.%N)
	# steady state: the containers idle since the start have given their
	# counter files back (BC_TRIM_AFTER rounds) for the busy ones
	sleep $((${TRIM:-0} + 5))
	c0=$(awk '{ print $1 }' "/proc/$D/schedstat")
	sleep "$S"
	c1=$(awk '{ print $1 }' "/proc/$D/schedstat")
	k1=$(kmem)
	local rss nfd per parts
	rss=$(ps -o rss= -p "$D")
	parts=$(awk '/^Rss(Anon|File|Shmem):/ { printf "%s%s %.1f MiB", sep, substr($1, 4, length($1) - 4), $2 / 1024; sep = ", " }' "/proc/$D/status")
	nfd=$(find "/proc/$D/fd" -mindepth 1 | wc -l)
	per=$(awk -v c=$((c1 - c0)) -v s="$S" -v n="$n" 'BEGIN { printf "%.2f", c / 1000 / s / n }')
	awk -v name="$name" -v got="$got" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
	    -v per="$per" -v rss="$rss" -v parts="$parts" -v nfd="$nfd" -v n="$n" -v k=$((k1 - k0)) 'BEGIN {
		printf "  %-8s %d containers found in %.0f s; %s us per container per second (%.1f %% of a core); RSS %.1f MiB (%s; %.0f bytes per container); %d descriptors; kernel memory +%.1f MiB with it running\n",
		    name, got, t, per, per * n / 1e4, rss / 1024, parts, rss * 1024 / n, nfd, k / 1024 }'
	grep -h "containers idle" "$T/log.$name.$n" | tail -1 | sed 's/^[^:]*: */    /' || true
	stop_daemon
	if [ "$name" = accountd ]; then
		res_n+=("$n"); res_cpu+=("$per"); res_rss+=("$rss")
	fi
}
for n in $STEPS; do
	# make the cgroups up to n, every tenth busy
	t0=$(date +%s.%N)
	for h in "${hiers[@]}"; do
		seq -f "$h/$P/c%05g" $((made + 1)) "$n" | xargs mkdir
	done
	t1=$(date +%s.%N)
	seq -f "$P/c%05g" $((made + 1)) "$n" | awk 'NR % 10 == 0' > "$T/busy"
	"$B/bench/sample-busy" 500 20 "${hiers[@]}" < "$T/busy" 2> /dev/null &
	BUSY+=($!)
	made=$n
	k=$(kmem)
	awk -v n="$n" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -v k=$((k - k_base)) -v h=${#hiers[@]} 'BEGIN {
		printf "%d cgroups (%d busy) in %d hierarchies; made in %.1f s so far this step; kernel memory +%.1f MiB (%.1f KiB per cgroup)\n",
		    n, n / 10, h, t, k / 1024, k / n }'
	sleep 2
	# the floor's file list: every gate first (they get the kept
	# descriptors first, as in accountd), then busy fast, then the rest
	seq 1 "$n" | awk -v p="$R" -v P="$P" -v g="$G" -v f="$F" -v s="$SL" \
	    -v slow="$SLOW" -v idle="$IDLE" '
	BEGIN { nf = split(f, F, " "); ns = split(s, SL, " ") }
	{ i = $1; c = sprintf("%s/c%05d", P, i); ph = i % idle
	  split(g, a, "/"); print 1, 0, p "/" a[1], c "/" a[2]
	  busy = (i % 10 == 0)
	  for (j = 1; j <= nf; j++) { split(F[j], a, "/"); line = p "/" a[1] " " c "/" a[2]
	    if (busy) print 1, 0, line > "'"$T"'/fast"; else print idle, ph, line > "'"$T"'/rest" }
	  for (j = 1; j <= ns; j++) { split(SL[j], a, "/"); line = p "/" a[1] " " c "/" a[2]
	    if (busy) print slow, ph, line > "'"$T"'/rest"; else print idle, ph, line > "'"$T"'/rest" } }' > "$T/gates"
	cat "$T/gates" "$T/fast" "$T/rest" > "$T/floor.list"
	read -r files kept rounds fcpu < <("$B/bench/sample-scale-floor" "$S" 1000 "$fds" < "$T/floor.list" | sed 's/[a-z_]*=//g')
	floor=$(awk -v c="$fcpu" -v r="$rounds" -v n="$n" 'BEGIN { printf "%.2f", c / r / n }')
	echo "  floor    $floor us per container per second ($files files, $kept kept open, $rounds rounds)"
	run_daemon "$B" accountd "$n"
	[ -z "$BASE" ] || run_daemon "$BASE" before "$n"
done
echo "linear fit over the steps, extrapolated to 100,000 containers:"
printf '%s\n' "${res_n[@]}" > "$T/n"; printf '%s\n' "${res_cpu[@]}" > "$T/cpu"; printf '%s\n' "${res_rss[@]}" > "$T/rss"
paste "$T/n" "$T/cpu" "$T/rss" | awk '
	{ n[NR] = $1; c[NR] = $1 * $2; r[NR] = $3 / 1024; sn += $1; sc += c[NR]; sr += r[NR] }
	END {
		k = NR; mn = sn / k; mc = sc / k; mr = sr / k
		for (i = 1; i <= k; i++) { vx += (n[i] - mn)^2; xc += (n[i] - mn) * (c[i] - mc); xr += (n[i] - mn) * (r[i] - mr) }
		bc = vx ? xc / vx : mc / mn; ac = mc - bc * mn
		br = vx ? xr / vx : 0; ar = mr - br * mn
		printf "  CPU: %.2f us per container per second at the margin; 100,000 containers: %.1f %% of one core (%.2f us each; budget 10)\n",
		    bc, (ac + bc * 1e5) / 1e4, (ac + bc * 1e5) / 1e5
		printf "  RSS: %.1f KiB per container; 100,000 containers: %.0f MiB (budget 512)\n",
		    br * 1024, ar + br * 1e5
	}'
