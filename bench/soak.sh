#!/bin/bash
# Soak (issue 14, "How it is shown"; not in CI): accountd with its helpers
# (exporter as nobody, ledger as accountd-ledger or daemon, notifier as
# nobody, the read-only socket's server as rsock_user) under, for SOAK_SECONDS (default 1800):
#   - containers coming and going: up to SOAK_CTS (1000) created and
#     destroyed in a rolling window,
#   - set storms on them,
#   - /metrics scrapes,
#   - read-only socket abuse from nobody: 300 followers never reading,
#     unread-reply floods, garbage frames (tests/helpers ctlabuse, ctlsend),
#   - kill -9 of each helper in turn, every 30 s,
#   - a container forking into its numproc limit every 5 s.
# It prints: root's `acctctl set` p50/p99 at idle and under the load (the
# floor and the figure, one run) beside acctctl's own start alone (`help
# set`, no connection: the client's share), accountd's RSS and descriptor count at
# the start of the load and at its end (growth, %), the sampling rounds
# made beside the seconds passed and the oldest the snapshot was seen
# (rounds on time: sample_interval 1 s), the numproc failcnt accountd
# reports vs the kernel's count, and the host's load average before and
# at the end of the load (the machine may be shared: say how busy it was).
#
# SOAK_WARMUP=S (default a sixth of SOAK_SECONDS): growth is given from
# the start of the load and from S s into it.
# SOAK_NICE=N runs the load generators at niceness N (default 0), so that
# on a shared machine the load yields the CPU before accountd and root's
# set do; the figures then say how accountd copes, not how the scheduler
# shares a crowded machine.  A snapshot seen over 3 s old is written to
# the trace with its time, to be matched with the daemon's log.
#
#	sudo bench/soak.sh [BUILDDIR]        (SOAK_SECONDS=600 for 10 min)
set -u
B=$(cd "${1:-_build}" && pwd)
# a build tree has the programs in their folders; a copy may be flat
pick() { if [ -x "$B/$1" ]; then echo "$B/$1"; else echo "$B/$(basename "$1")"; fi; }
ACCOUNTD=$(pick accountd/accountd)
ACCTCTL=$(pick cli/acctctl)
EXP=$(pick exporters/accountd-exporter)
LED=$(pick ledger/accountd-ledger)
H=$B/tests/helpers
export ACCOUNTD ACCTCTL
. "$(dirname "$0")/../tests/integration/lib.sh"
T_NAME=soak
DUR=${SOAK_SECONDS:-1800}
NCT=${SOAK_CTS:-1000}
SN=${SOAK_NICE:-0}
require_cgroups
for h in ctlabuse ctlsend forker sectool; do
	[ -x "$H/$h" ] || fail "no $h in $H"
done
prepare_tdir
chmod 755 "$TDIR"
"$H/sectool" hold "$TDIR/am.port" $((DUR + 600)) &
BGPIDS+=("$!")
wait_for 5 test -s "$TDIR/am.port" || fail "no Alertmanager stand-in"
port=$(free_port)
start_daemon -o exporter=yes -o exporter_path="$EXP" \
    -o http_listen="127.0.0.1:$port" -o rrd_dir= \
    -o ledger=yes -o ledger_program="$LED" \
    -o ledger_path="$TDIR/ledger/ledger.db" -o ledger_interval=10 \
    -o sample_interval=1000 -o max_connections=4096 \
    -o alertmanager_url="http://127.0.0.1:$(cat "$TDIR/am.port")/api/v2/alerts"
RS=$TDIR/run/accountd.rsock
note "accountd pid $DPID, state in $TDIR"

# The clock is bash's own ($EPOCHREALTIME): $(date +%s%N) at each end
# put about one start of date(1) inside every probe beside acctctl's own
# (measured under another soak's load on 2 CPUs: p50 1.9 ms, p99 11.6 ms
# for a `t=$(date +%s%N)`).
set_ms() {	# one root set, in us (its start and end in us to probes.t)
	local t0 t1
	t0=${EPOCHREALTIME/[.,]/}
	actl set s0 --cpulimit $((RANDOM % 90 + 10)) > /dev/null 2>&1 ||
	    echo "set failed" >&2
	t1=${EPOCHREALTIME/[.,]/}
	echo "$((10#$t0)) $((10#$t1))" >> "$TDIR/probes.t"
	echo $((10#$t1 - 10#$t0)) # us
}
exec_ms() {	# the client alone: acctctl started, no connection, in us
	local t0 t1
	t0=${EPOCHREALTIME/[.,]/}
	actl help set > /dev/null 2>&1
	t1=${EPOCHREALTIME/[.,]/}
	echo $((10#$t1 - 10#$t0))
}
pct() {	# FILE P: the P-th percentile of the numbers in FILE
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
	    i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print v[i] }'
}
# a field of the snapshot's header (struct snap_header, lib/snapshot.h):
# byte 32 time_ms, the wall clock of the last sampling round; byte 48
# rounds.  The header is written through a shared mapping, which updates
# the file's mtime only when the kernel writes the page back (every 5 to
# 30 s): the mtime is no clock of the rounds.
snap_u64() { od -An -t u8 -j "$1" -N 8 "$TDIR/run/snapshot" | tr -d ' '; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$DPID/status"; }
# RSS by kind: anon (the heap), file (the store's and snapshot's mappings,
# the binary), shmem
rss_parts() {
	awk '/^Rss(Anon|File|Shmem):/ { printf "%s%s %s", n++ ? ", " : "", tolower(substr($1, 4, length($1) - 4)), $2 }' "/proc/$DPID/status"
}
nfd() { ls "/proc/$DPID/fd" | wc -l; }
lower() {	# the calling load generator (a subshell) to niceness SN
	[ "$SN" -eq 0 ] || renice -n "$SN" -p "$BASHPID" > /dev/null
}
kids() {	# PATTERN: accountd's child matching
	local f c
	for f in /proc/[0-9]*/status; do
		grep -q "^PPid:[[:space:]]*$DPID\$" "$f" 2> /dev/null || continue
		c=$(tr '\0' ' ' < "${f%/status}/cmdline" 2> /dev/null)
		case $c in *$1*) f=${f%/status}; echo "${f#/proc/}" ;; esac
	done
}

actl create s0 --cpulimit 50 > /dev/null || fail "create s0"
actl create f1 --numproc 8 > /dev/null || fail "create f1"
: > "$TDIR/probes.t"	# the first 200 at idle, then the load's
for _ in $(seq 1 200); do set_ms; done > "$TDIR/idle.us"
for _ in $(seq 1 200); do exec_ms; done > "$TDIR/idle-exec.us"
note "idle set: p50 $(pct "$TDIR/idle.us" 50) us, p99 $(pct "$TDIR/idle.us" 99) us"

load0=$(cut -d' ' -f1-3 /proc/loadavg)
stop=$(( $(date +%s) + DUR ))
LOAD=()
# containers coming and going: a rolling window of NCT
(
	lower
	i=0
	while [ "$(date +%s)" -lt "$stop" ]; do
		i=$((i + 1))
		actl create "k$((i % NCT))" --ram 256M > /dev/null 2>&1
		[ "$i" -gt $((NCT / 2)) ] &&
		    actl destroy "k$(((i - NCT / 2) % NCT))" > /dev/null 2>&1
	done
	echo "$i" > "$TDIR/churn.n"
) &
LOAD+=("$!")
# set storm
(
	lower
	n=0
	while [ "$(date +%s)" -lt "$stop" ]; do
		actl set "k$((RANDOM % NCT))" --cpulimit $((RANDOM % 90 + 10)) \
		    > /dev/null 2>&1
		n=$((n + 1))
	done
	echo "$n" > "$TDIR/storm.n"
) &
LOAD+=("$!")
# scrapes
(
	lower
	n=0
	while [ "$(date +%s)" -lt "$stop" ]; do
		curl -s -o /dev/null -m 5 "http://127.0.0.1:$port/metrics" && n=$((n + 1))
		sleep 0.2
	done
	echo "$n" > "$TDIR/scrape.n"
) &
LOAD+=("$!")
# rsock abuse from nobody
(
	lower
	while [ "$(date +%s)" -lt "$stop" ]; do
		"$H/ctlabuse" follow "$RS" 300 20 > /dev/null 2>&1 &
		"$H/ctlabuse" flood "$RS" 4000000 10 > /dev/null 2>&1 &
		"$H/ctlabuse" exec "$H/ctlsend" "$RS" > /dev/null 2>&1
		wait
	done
) &
LOAD+=("$!")
# kill -9 of each helper in turn
(
	k=0
	while [ "$(date +%s)" -lt "$stop" ]; do
		sleep 30
		case $((k % 4)) in
		0) p=$(kids accountd-exporter) ;;
		1) p=$(kids accountd-ledger) ;;
		2) p=$(kids --notifier) ;;
		3) p=$(kids --rsock) ;;
		esac
		[ -n "$p" ] && kill -KILL $p && k=$((k + 1))
	done
	echo "$k" > "$TDIR/kills.n"
) &
LOAD+=("$!")
# failcnt source
(
	lower
	while [ "$(date +%s)" -lt "$stop" ]; do
		actl exec f1 -- "$H/forker" 16 > /dev/null 2>&1
		sleep 5
	done
) &
LOAD+=("$!")

# the baseline once the load is on and the window of containers is full
# (each container holds its kept descriptors: the count follows them)
for _ in $(seq 1 300); do
	[ "$(actl list 2> /dev/null | wc -l)" -ge $((NCT / 2)) ] && break
	sleep 1
done
sleep 10
r0=$(rss); p0=$(rss_parts); f0=$(nfd); rmax=$r0; fmax=$f0
# the heap's high-water mark is reached in the first abuse cycles (an
# unread-reply flood holds up to 256 KiB per connection, 300 followers
# their buffers): growth is also measured from the end of a warm-up
warm=$(( $(date +%s) + ${SOAK_WARMUP:-$((DUR / 6))} )); rw=
: > "$TDIR/load.us"
n0=$(snap_u64 48); t0=$(date +%s%3N); age=0
while [ "$(date +%s)" -lt "$stop" ]; do
	for _ in 1 2 3 4 5; do
		set_ms >> "$TDIR/load.us"
		exec_ms >> "$TDIR/load-exec.us"
	done
	for _ in $(seq 1 10); do
		a=$(( $(date +%s%3N) - $(snap_u64 32) ))
		[ "$a" -gt "$age" ] && age=$a
		[ "$a" -gt 3000 ] &&
		    echo "$(date -u +%T) snapshot $a ms old" >> "$TDIR/trace"
		sleep 0.5
	done
	r=$(rss); f=$(nfd)
	[ "$r" -gt "$rmax" ] && rmax=$r
	[ -z "$rw" ] && [ "$(date +%s)" -ge "$warm" ] && { rw=$r; fw=$f; }
	[ "$f" -gt "$fmax" ] && fmax=$f
	echo "$(date -u +%T) rss ${r} kB ($(rss_parts)) fds $f" >> "$TDIR/trace"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
wait "${LOAD[@]}"
BGPIDS+=("${LOAD[@]}")
r1=$(rss); p1=$(rss_parts); f1=$(nfd)
# failcnt: accountd's numproc failcnt vs the kernel's refusals
if cg_is_v2; then
	kf=$(sed -n 's/^max //p' "$CGROUP_ROOT/$PARENT/f1/pids.events")
else
	kf=$(sed -n 's/^max //p' "$CGROUP_ROOT/pids/$PARENT/f1/pids.events")
fi
sleep 2
af=$(actl -j ubc f1 | tr -d ' \n' | sed -n 's/.*"numproc"[^}]*"failcnt":\([0-9]*\).*/\1/p')
kill -0 "$DPID" 2> /dev/null || fail "accountd died during the soak"
echo "soak: $DUR s, $(cat "$TDIR/churn.n" 2> /dev/null) creates," \
    "$(cat "$TDIR/storm.n" 2> /dev/null) sets in the storm," \
    "$(cat "$TDIR/scrape.n" 2> /dev/null) scrapes," \
    "$(cat "$TDIR/kills.n" 2> /dev/null) helpers killed"
echo "host load average (1, 5, 15 min): $load0 before the load, $load1 at its end" \
    "($(nproc) CPUs; load generators at nice $SN)"
echo "root set: idle p50 $(pct "$TDIR/idle.us" 50) us p99 $(pct "$TDIR/idle.us" 99) us;" \
    "under load p50 $(pct "$TDIR/load.us" 50) us p99 $(pct "$TDIR/load.us" 99) us" \
    "($(wc -l < "$TDIR/load.us") samples); ratio p99" \
    "$(awk -v a="$(pct "$TDIR/load.us" 99)" -v b="$(pct "$TDIR/idle.us" 99)" 'BEGIN { printf "%.2f", a / b }')"
echo "acctctl alone (help set, no connection): idle p50 $(pct "$TDIR/idle-exec.us" 50)" \
    "us p99 $(pct "$TDIR/idle-exec.us" 99) us; under load p50" \
    "$(pct "$TDIR/load-exec.us" 50) us p99 $(pct "$TDIR/load-exec.us" 99) us"
echo "accountd RSS: $r0 kB at the start of the load, $r1 kB at its end (max $rmax)," \
    "growth $(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.1f", (b - a) * 100 / a }') %" \
    "(kB by kind: $p0 -> $p1)"
[ -n "$rw" ] &&
    echo "after the warm-up (${SOAK_WARMUP:-$((DUR / 6))} s): RSS $rw kB ->" \
    "$r1 kB, growth $(awk -v a="$rw" -v b="$r1" 'BEGIN { printf "%.1f", (b - a) * 100 / a }') %;" \
    "descriptors $fw -> $f1"
echo "accountd descriptors: $f0 -> $f1 (max $fmax)"
echo "sampling rounds: $(( $(snap_u64 48) - n0 )) in" \
    "$(( ($(date +%s%3N) - t0) / 1000 )) s (sample_interval 1 s); the" \
    "snapshot was at most $age ms old"
echo "numproc failcnt: accountd $af, kernel $kf"
echo "log lines: $(wc -l < "$TDIR/daemon.log"), accountd warnings: $(grep -c 'accountd\[warning\]' "$TDIR/daemon.log")"
cp "$TDIR/trace" "${SOAK_TRACE:-/tmp/soak-trace.txt}" 2> /dev/null
# each load probe's start and end (us since the epoch), to be matched with
# the daemon's own timing of the request
cp "$TDIR/probes.t" "${SOAK_PROBES:-/tmp/soak-probes.txt}" 2> /dev/null
cp "$TDIR/daemon.log" "${SOAK_LOG:-/tmp/soak-daemon.log}" 2> /dev/null
