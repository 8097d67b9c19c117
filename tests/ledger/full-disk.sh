#!/bin/bash
# (root) The ledger on a small tmpfs of the test's own: filled up, then
# remounted read-only.  Each time the writer logs the error, shows it in
# its status file, keeps the usage in memory and tries again; what was
# recorded stays readable and sound; once the disk takes writes again
# everything is written, and at the end the totals equal the synthetic
# counters exactly.
. "$(dirname "$0")/lib-ledger.sh"
[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
command -v mountpoint > /dev/null || skip "no mountpoint(1)"
MNT=$TDIR/mnt
mkdir "$MNT"
mount -t tmpfs -o size=256k,mode=0755 acctd-ledger-test "$MNT" ||
    skip "cannot mount a tmpfs here"
N=20 ROUNDS=560 PERIOD=50	# 28 s of rounds
db=$MNT/ledger.db
st=$TDIR/status
# the ledger is made before the containers start (else they are a baseline)
"$FIXTURE" "$db" /dev/null || fail "cannot make the ledger"
sleep 1
"$FEED" "$TDIR/snap" $N $ROUNDS $PERIOD &
feed=$!
LPIDS+=("$feed")
wait_for 5 test -s "$TDIR/snap" || fail "no snapshot"
start_ledger() {
	"$LEDGER" -d -s "$TDIR/snap" -f "$db" -i 1 -S "$st" \
	    2>> "$TDIR/ledger.log" &
	lp=$!
	LPIDS+=("$lp")
}
start_ledger
wait_for 5 sh -c "[ \$(grep -c . '$TDIR/ledger.log') -ge 1 ] && grep -q '^last_commit=2' '$st'" ||
    fail "no first commit: $(cat "$TDIR/ledger.log")"
sleep 1
before=$(raw_sum "$db" ct0 cpu_usec)

# ---- full disk
dd if=/dev/zero of="$MNT/fill" bs=4k 2> /dev/null
wait_for 5 status_is "$st" error || fail "no error in the status: $(cat "$st")"
grep -q "cannot write the ledger: .*full" "$TDIR/ledger.log" ||
    fail "not logged: $(cat "$TDIR/ledger.log")"
pass "full disk logged: $(grep -m1 'cannot write the ledger' "$TDIR/ledger.log" | cut -c25-)"
pass "status: $(grep '^error=' "$st" | sed 's/ *$//')"
sleep 2
kill -0 "$lp" || fail "the writer died on a full disk"
[ "$(integrity "$db")" = ok ] || fail "integrity while full: $(integrity "$db")"
during=$(raw_sum "$db" ct0 cpu_usec)
[ "$during" -ge "$before" ] || fail "records lost: $during < $before"
pass "recorded usage readable and sound while the disk is full"
rm -f "$MNT/fill"
wait_for 5 status_is "$st" ok || fail "not ok again: $(cat "$st")"
grep -q "written again after" "$TDIR/ledger.log" || fail "recovery not logged"
pass "written again once there is room"

# ---- read-only file system (the writer stopped, as the remount needs)
kill -TERM "$lp"; wait "$lp"
mount -o remount,ro "$MNT" || fail "cannot remount read-only"
start_ledger
wait_for 5 status_is "$st" error || fail "no error read-only: $(cat "$st")"
pass "read-only: $(grep '^error=' "$st" | sed 's/ *$//')"
sleep 1.5
kill -0 "$lp" || fail "the writer died on a read-only store"
mount -o remount,rw "$MNT" || fail "cannot remount read-write"
wait_for 5 status_is "$st" ok || fail "not ok after remount: $(cat "$st")"
pass "written again once the file system is writable"

wait "$feed" || fail "the feed failed"
sleep 1
kill -TERM "$lp"; wait "$lp"
[ "$(integrity "$db")" = ok ] || fail "integrity at the end: $(integrity "$db")"
bad=0
for i in $(seq 0 $((N - 1))); do
	cpu=$(raw_sum "$db" "ct$i" cpu_usec)
	want=$((ROUNDS * 1000 * (i + 1)))
	[ "$cpu" = "$want" ] || { note "ct$i: cpu $cpu, want $want"; bad=1; }
done
[ "$bad" = 0 ] || fail "totals differ"
pass "all $N containers' CPU time exact across both outages"
exit 0
