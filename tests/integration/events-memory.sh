#!/bin/bash
# The event history's memory (issue 14: accountd's RSS flat through the
# soak).  accountd keeps the last 1024 events in memory.  Kept as json-c
# objects (a hash table, a node per member and the printed text each)
# they took ~3 KiB an event, 3 MiB when full, and the soak's daemon grew
# by 1 MB in 22 minutes while its history filled (a failcnt event every
# 5 s): kept as their text, an event costs the ~250 bytes of its line.
# accountd is started twice, with no events.log and with 1024 events in
# it (read back into the history at start), and its anonymous memory
# (RssAnon) compared: the full history must cost under 1 MiB (not in the
# ASan build, whose allocator's figures are its own).  The
# history must still read back whole, in order, and by container.
. "$(dirname "$0")/lib.sh"
T_NAME=events-memory
require_cgroups
prepare_tdir

anon() { sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$DPID/status"; }
settle() {	# RssAnon once two readings 1 s apart agree within 64 kB
	local a b
	a=$(anon)
	for _ in $(seq 1 10); do
		sleep 1
		b=$(anon)
		[ $((b - a)) -le 64 ] && [ $((a - b)) -le 64 ] && break
		a=$b
	done
	echo "$b"
}

start_daemon
empty=$(settle)
stop_daemon
note "RssAnon with an empty history: $empty kB"

mkdir -p "$TDIR/state"
awk 'BEGIN { for (i = 1; i <= 1024; i++)
	printf "{\"seq\":%d,\"time\":\"2026-01-01T00:%02d:%02d.000Z\",\"type\":\"failcnt\",\"ct\":\"ct%d\",\"resource\":\"numproc\",\"failcnt\":%d,\"delta\":1,\"held\":8,\"maxheld\":8,\"barrier\":8,\"limit\":8,\"unit\":\"processes\"}\n", i, i / 60 % 60, i % 60, i % 50, i }' \
    > "$TDIR/state/events.log"
start_daemon
full=$(settle)
note "RssAnon with 1024 events in the history: $full kB"

seqs=$(actl -j events -n 2000 | sed -n 's/.*"seq": *\([0-9]*\).*/\1/p')
[ "$(echo "$seqs" | wc -l)" -eq 1024 ] ||
    fail "the history reads back $(echo "$seqs" | wc -l) events, expected 1024"
[ "$(echo "$seqs" | head -1) $(echo "$seqs" | tail -1)" = "1 1024" ] ||
    fail "the history is not events 1 to 1024 in order"
got=$(actl -j events -n 3 ct7 | sed -n 's/.*"seq": *\([0-9]*\).*/\1/p' | tr '\n' ' ')
[ "$got" = "907 957 1007 " ] ||
    fail "the last 3 events of ct7 are '$got', expected 907 957 1007"
pass "the history reads back whole, in order, and by container"
stop_daemon
if grep -E "Sanitizer|runtime error" "$TDIR/daemon.log" > /dev/null; then
	grep -E -A12 "Sanitizer|runtime error" "$TDIR/daemon.log" | head -40
	fail "a sanitizer report in the daemon's log"
fi

if [ -n "${ACCT_SANITIZERS:-}" ]; then
	# ASan's allocator keeps freed blocks in quarantine and adds red
	# zones: its RSS says nothing of glibc's; the plain build checks it
	note "not compared in a sanitizer build (ASan's allocator): $((full - empty)) kB"
	exit 0
fi
[ $((full - empty)) -lt 1024 ] ||
    fail "1024 events in the history cost $((full - empty)) kB of anonymous memory (under 1024 expected)"
pass "1024 events in the history cost $((full - empty)) kB of anonymous memory"
