#!/bin/bash
# Peers side by side (issue 17, goal 5): the same counters of the same N
# real cgroups (default 1,000) fetched by
#   - accountd: a /metrics scrape from its exporter (OpenMetrics, gzip) in a
#     new round and within a round, and `acctctl ubc` of every container;
#     beside them what accountd's sampling costs per container and round
#     (the daemon's CPU), since a fetch reads what a round read;
#   - libcgroup's cgget (cgroup-tools): memory usage, limit, failcnt and
#     CPU time of all N in one cgget (v2: memory.current, memory.max,
#     memory.events, cpu.stat);
#   - PCP's proc PMDA (pmdaproc) under a private pmcd: pminfo -f of
#     cgroup.memory.{usage,limit,failcnt} and cgroup.cpuacct.usage; the
#     pmcd and pmdaproc CPU per fetch too.
# Each figure: the median of REPS fetches, in us per container per fetch,
# and its ratio to accountd's new-round scrape, all from one run.  A peer
# that cannot read these cgroups here says so and its figure is what it
# did.  Needs root.
#   bench/peers.sh [N] [REPS]
set -uo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
N=${1:-1000}
REPS=${2:-9}
[ "$(id -u)" = 0 ] || { echo "peers: needs root"; exit 77; }
command -v curl > /dev/null || { echo "peers: needs curl"; exit 77; }
P=acctd-bench-peers-$$
T=$(mktemp -d /tmp/acctd-bench-peers.XXXXXX)
chmod 755 "$T"
R=/sys/fs/cgroup
v2=false; [ -f $R/cgroup.controllers ] && v2=true
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null; done
	if $v2; then find "$R/$P" "$R/$P-own" -depth -type d -exec rmdir {} + 2> /dev/null
	else for h in "$R"/*/; do for p in "$h$P" "$h$P-own"; do
		[ -d "$p" ] && find "$p" -depth -type d -exec rmdir {} +
	done; done; fi
	rm -rf "$T"
}
trap cleanup EXIT
med() { sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }
now() { date +%s%N; }
cpu_of() {	# PID...: their CPU time in ms (utime + stime), 0 when gone
	local t=0 f
	for p in "$@"; do
		f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2> /dev/null) || continue
		t=$((t + ${f% *} + ${f#* }))
	done
	echo $((t * 1000 / $(getconf CLK_TCK)))
}

ncg() { if $v2; then find $R -name cgroup.procs | wc -l; else find $R/memory -name cgroup.procs | wc -l; fi; }
echo "making $N cgroups under $P ($($v2 && echo v2 || echo v1); the host has $(ncg) memory cgroups)"
. "$(dirname "$0")/lib-cgroups.sh"
make_cgroups "$R" "$P" "$N"
port=$(( 20000 + RANDOM % 40000 ))
"$B/accountd/accountd" -d -o run_dir="$T/run" -o state_dir="$T/state" \
    -o ct_conf_dir="$T/ct" -o cgroup_parent="$P-own" -o log_level=warn \
    -o "discover=$P/%n" -o rescan_interval=0 -o exporter=yes \
    -o http_listen="127.0.0.1:$port" -o exporter_path="$B/exporters/accountd-exporter" \
    -o rrd_dir= 2> "$T/daemon.log" &
D=$!
PIDS+=("$D")
export ACCTCTL_SOCKET=$T/run/accountd.sock
A=$B/cli/acctctl
for _ in $(seq 300); do
	n=$("$A" list -H -o ctid 2> /dev/null | wc -l) || true
	[ "$n" -ge "$N" ] && break
	sleep 0.1
done
url=http://127.0.0.1:$port/metrics
for _ in $(seq 100); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
echo "accountd manages $n containers; exporter on $url"

# accountd: a scrape in a new round (the first after accountd published
# one: seen in the snapshot's header, its rounds field at byte 48, without
# a scrape), then one in the same round (the body kept)
hdr_rounds() { od -An -t u8 -j 48 -N 8 "$T/run/snapshot" | tr -d ' '; }
: > "$T/new"; : > "$T/same"
for _ in $(seq "$REPS"); do
	r0=$(hdr_rounds)
	for _ in $(seq 1000); do
		[ "$(hdr_rounds)" != "$r0" ] && break
		sleep 0.002
	done
	for f in new same; do
		curl -s -o /dev/null -H 'Accept-Encoding: gzip' \
		    -H 'Accept: application/openmetrics-text;version=1.0.0' \
		    -w '%{time_total}\n' "$url" >> "$T/$f"
	done
done
scr_new=$(med < "$T/new"); scr_same=$(med < "$T/same")
: > "$T/ubc"
for _ in $(seq "$REPS"); do
	t0=$(now); "$A" ubc > /dev/null; t1=$(now)
	echo $(( (t1 - t0) / 1000 )) >> "$T/ubc"
done
ubc=$(med < "$T/ubc")
c0=$(cpu_of "$D"); s0=$(now); sleep 10; c1=$(cpu_of "$D"); s1=$(now)
samp=$(awk -v c=$((c1 - c0)) -v s=$(( (s1 - s0) / 1000000 )) -v n="$N" \
    'BEGIN { printf "%.1f", c * 1000 / (s / 1000) / n }')	# us per ct per 1 s round

# cgget: the same counters of all N in one call
paths=()
for i in $(seq -f %05g 1 "$N"); do paths+=("$P/c$i"); done
if $v2; then files=(-r memory.current -r memory.max -r memory.events -r cpu.stat)
else files=(-r memory.usage_in_bytes -r memory.limit_in_bytes -r memory.failcnt -r cpuacct.usage); fi
cgget_note=
if command -v cgget > /dev/null; then
	: > "$T/cgget"
	for _ in $(seq "$REPS"); do
		t0=$(now); cgget "${files[@]}" "${paths[@]}" > "$T/cgget.out" 2> "$T/cgget.err"; t1=$(now)
		echo $(( (t1 - t0) / 1000 )) >> "$T/cgget"
	done
	got=$(grep -c "^$P/c" "$T/cgget.out")
	[ "$got" = "$N" ] || cgget_note=" (read $got of $N: $(head -c 200 "$T/cgget.err"))"
	cg=$(med < "$T/cgget")
else
	cg=; cgget_note="cgget is not installed (Debian: cgroup-tools)"
fi

# PCP's proc PMDA under a private pmcd (its own folders, a unix socket)
PMCD=/usr/lib/pcp/bin/pmcd
PROCDIR=/var/lib/pcp/pmdas/proc
pcp_note= pm= pmcpu= inst=0 ours=0
if [ -x "$PMCD" ] && [ -x "$PROCDIR/pmdaproc" ] && command -v pminfo > /dev/null; then
	Q=$T/pcp
	mkdir -p "$Q/tmp" "$Q/run" "$Q/log" "$Q/var/config/pmda"
	chown -R pcp:pcp "$Q" 2> /dev/null
	sed 's/PROC:/3:/' "$PROCDIR/root_proc" > "$Q/root"
	printf 'proc\t3\tpipe\tbinary\t%s/pmdaproc -d 3 -l %s/proc.log\n' "$PROCDIR" "$Q/log" > "$Q/pmcd.conf"
	PCP_TMP_DIR=$Q/tmp PCP_RUN_DIR=$Q/run PCP_LOG_DIR=$Q/log PCP_VAR_DIR=$Q/var \
	    "$PMCD" -f -t 300 -c "$Q/pmcd.conf" -n "$Q/root" -i 127.0.0.1 \
	    -p $((port + 1)) -s "$Q/run/pmcd.socket" -l "$Q/log/pmcd.log" > "$Q/out" 2>&1 &
	PM=$!
	PIDS+=("$PM")
	H=(-h "unix:$Q/run/pmcd.socket")
	for _ in $(seq 100); do pminfo "${H[@]}" cgroup.memory.usage > /dev/null 2>&1 && break; sleep 0.1; done
	if $v2; then m=(cgroup.memory.current cgroup.memory.stat.anon cgroup.cpu.stat.usage)
	else m=(cgroup.memory.usage cgroup.memory.limit cgroup.memory.failcnt cgroup.cpuacct.usage); fi
	pminfo "${H[@]}" -f "${m[@]}" > /dev/null 2>&1	# the first: instances found
	agent=$(pgrep -P "$PM" pmdaproc | head -1)
	: > "$T/pm"
	k0=$(cpu_of "$PM" $agent)
	for _ in $(seq "$REPS"); do
		t0=$(now); pminfo "${H[@]}" -f "${m[@]}" > "$T/pm.out" 2>&1; t1=$(now)
		echo $(( (t1 - t0) / 1000 )) >> "$T/pm"
	done
	k1=$(cpu_of "$PM" $agent)
	pm=$(med < "$T/pm")
	pmcpu=$(( (k1 - k0) * 1000 / REPS ))		# us per fetch
	inst=$(grep -c 'inst \[' "$T/pm.out")
	ours=$(grep -c "inst \[[0-9]* or \"/$P/c" "$T/pm.out")
	if [ "$ours" = 0 ]; then
		pcp_note="pmdaproc $(dpkg-query -W -f '${Version}' pcp 2> /dev/null) gave no value for these cgroups ($inst instances in all; $(grep -m1 'No value' "$T/pm.out" || true)); it lists the hierarchies (cgroup.subsys: $(pminfo "${H[@]}" -f cgroup.subsys.num_cgroups 2> /dev/null | awk '/memory/ { print $NF }') memory cgroups) but reads no per-cgroup counter on this $($v2 && echo v2 || echo 'v1 hybrid') host: its figure is the cost of a fetch that returned nothing"
	fi
else
	pcp_note="PCP is not installed (Debian: pcp; scripts/deps.sh)"
fi

hostcg=$(ncg)
echo "== the same counters of $N cgroups; medians of $REPS fetches; us per container per fetch (ratio to accountd's new-round scrape)"
awk -v n="$N" -v new="$scr_new" -v same="$scr_same" -v ubc="$ubc" -v samp="$samp" \
    -v cg="$cg" -v pm="$pm" -v pmcpu="$pmcpu" -v inst="$inst" -v ours="$ours" 'BEGIN {
	base = new * 1e6 / n
	printf "  accountd /metrics scrape, new round (OpenMetrics, gzip)   %8.2f us  (1.00)\n", base
	printf "  accountd /metrics scrape, same round (the body kept)       %8.2f us  (%.2f)\n", same * 1e6 / n, same * 1e6 / n / base
	printf "  acctctl ubc, every container (a process each time)        %8.2f us  (%.2f)\n", ubc / n, ubc / n / base
	printf "  accountd sampling, CPU per container per 1 s round         %8.2f us  (what a fetch reads; every reader shares it)\n", samp
	if (cg != "")
		printf "  cgget, 4 counters of all %d in one call                   %8.2f us  (%.2f)\n", n, cg / n, cg / n / base
	if (pm != "") {
		printf "  pminfo -f, pmdaproc cgroup metrics (wall)                 %8.2f us  (%.2f); %d instances returned, %d of ours\n", pm / n, pm / n / base, inst, ours
		printf "  pmcd + pmdaproc CPU per fetch                             %8.2f us  (%.2f)\n", pmcpu / n, pmcpu / n / base
	}
}'
[ -n "$cgget_note" ] && echo "  cgget: $cgget_note"
[ -n "$pcp_note" ] && echo "  PCP: $pcp_note"
echo "  (the host has $hostcg memory cgroups with these $N: pmdaproc walks all of them on a fetch, cgget and accountd read only these)"
exit 0
