#!/bin/bash
# Issue 14, defect 6: state_dir/beancounters.db cut under a running
# accountd.  It was mapped shared, so the next store into the cut part
# killed the daemon with SIGBUS and no log line.  Now: the daemon survives
# a cut to 0 bytes and one mid-record, logs each, keeps counting (a new
# numproc failure adds to the failcnt), and the store it writes back holds
# every container's failcnt across a restart.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
prepare_tdir
start_daemon
DB=$TDIR/state/beancounters.db
fc() {	# numproc failcnt of 601 from acctctl ubc
	actl ubc 601 | awk '$0 ~ "^ +(601: +)?numproc " { print $NF }'
}
fc_gt() { [ "$(fc)" -gt "$1" ] 2> /dev/null; }
actl create 601 --numproc 8 > /dev/null || fail "create 601"
actl create 602 --numproc 8 > /dev/null || fail "create 602"
out=$(actl exec 601 -- "$HELPERS/forker" 20)
case $out in ok=7\ failed=13*) ;; *) fail "forker in 601: $out" ;; esac
wait_for 5 fc_gt 12 || fail "numproc failcnt of 601 not counted: $(fc)"
fc1=$(fc)
size=$(stat -c %s "$DB")
[ "$size" -gt 0 ] || fail "no store at $DB"

# ---- cut to nothing, then the next failures ------------------------------------
truncate -s 0 "$DB"
actl exec 601 -- "$HELPERS/forker" 20 > /dev/null
wait_for 5 fc_gt "$fc1" ||
    fail "failcnt did not grow after the cut: $(fc) (was $fc1)"
kill -0 "$DPID" 2> /dev/null || fail "accountd died after its store was cut (SIGBUS?)"
wait_for 5 grep -q 'beancounters.db: cut to 0 bytes while accountd ran' "$TDIR/daemon.log" ||
    fail "no log line for the cut store"
wait_for 5 sh -c "[ \$(stat -c %s '$DB') -ge $size ]" || fail "the store was not written again ($(stat -c %s "$DB") bytes)"
fc2=$(fc)
pass "store cut to 0 bytes under accountd: it lives, logs it, writes it again, and counts on (numproc failcnt $fc1 -> $fc2)"

# ---- cut mid-record while running, then a restart --------------------------------
truncate -s $((size / 2 + 37)) "$DB"
actl exec 601 -- "$HELPERS/forker" 20 > /dev/null
wait_for 5 fc_gt "$fc2" ||
    fail "failcnt did not grow after the second cut"
kill -0 "$DPID" 2> /dev/null || fail "accountd died after a cut mid-record"
fc3=$(fc)
stop_daemon
start_daemon
[ "$(fc)" = "$fc3" ] || fail "numproc failcnt $fc3 -> $(fc) after a restart"
grep -q 'unknown format' "$TDIR/daemon.log" && fail "the store was moved aside at restart"
pass "cut mid-record under accountd, then restarted: the failcnt is kept ($fc3)"

# ---- a store cut mid-record while accountd is down: whole records kept -------------
stop_daemon
cp "$DB" "$TDIR/db.full"
# records are written in order: the header, then 601's and 602's; cut into
# the record after 602's keeps both
hdr=664 rec=680
truncate -s $((hdr + 2 * rec + 100)) "$DB"
start_daemon
grep -q 'beancounters.db: cut at byte' "$TDIR/daemon.log" || fail "no log line for the store cut mid-record"
[ "$(fc)" = "$fc3" ] || fail "a whole record lost with the torn one: failcnt $(fc), was $fc3"
pass "a store cut mid-record found at start: logged, every whole record kept (failcnt $fc3)"
actl destroy 601 --force > /dev/null 2>&1
actl destroy 602 --force > /dev/null 2>&1
