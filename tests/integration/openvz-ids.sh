#!/bin/bash
# Beancounter ids: OpenVZ's tools read /proc/user_beancounters by the
# number before the colon (vzubc starts a container's block at a line
# matching `^ *[0-9]+:`).  A numeric container and a named one: both get a
# block of their own, with the same figures as acctctl ubc -t; the named
# one's id comes from 2000000000 up, stays the same across a restart of
# accountd, is accepted by ubc and events in place of the name, and is not
# handed out again after the container is destroyed.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

actl create 101 --numproc 5 || fail "create 101"
actl create web1 --numproc 7 || fail "create web1"
out=$(actl exec 101 -- "$HELPERS/forker" 10)
[ "$out" = "ok=4 failed=6 first_errno=11" ] || fail "forker in 101: $out"
out=$(actl exec web1 -- "$HELPERS/forker" 10)
[ "$out" = "ok=6 failed=4 first_errno=11" ] || fail "forker in web1: $out"

id=$(actl list -H -o ctid,bcid | awk '$1 == "web1" { print $2 }')
[ "$id" -ge 2000000000 ] 2> /dev/null && [ "$id" -le 2147483646 ] ||
    fail "web1's bcid is '$id', expected 2000000000 to 2147483646"
[ "$(actl list -H -o ctid,bcid | awk '$1 == "101" { print $2 }')" = 101 ] ||
    fail "101's bcid is not 101: $(actl list -o ctid,bcid)"
pass "list -o bcid: 101 is 101, web1 is $id"

# the stand-in for vzubc's reading: a line starting with "ID:" opens a
# block, the resource rows follow; the numproc row of each block
vz() {
	awk '/^Version: / { if ($2 != "2.5") exit 1; next }
	    /^[[:space:]]*uid / { next }
	    /^[[:space:]]*[0-9]+:/ { id = $1; sub(":", "", id); n++
		$1 = ""; $0 = substr($0, 2) }
	    $1 == "numproc" && id != "" {
		printf "%s %s %s %s %s\n", id, $2, $4, $5, $6 }
	    END { if (n == 0) exit 1 }'
}
wait_for 5 sh -c "\"$ACCTCTL\" ubc | grep -q numproc" || fail "no numproc rows"
wait_for 5 sh -c "\"$ACCTCTL\" ubc web1 | awk '\$1 == \"numproc\" && \$6 >= 4 { f = 1 } END { exit !f }'" ||
    fail "web1's numproc failcnt did not reach 4: $(actl ubc web1)"
# the forkers' processes are gone once reaped; a sample at the exit (a
# pidfd) can still count the unreaped one, and the next corrects it: the
# two readings below must see one state, the settled one
wait_for 5 sh -c "\"$ACCTCTL\" ubc | awk '\$1 == \"numproc\" && \$2 != 0 { b = 1 } END { exit b }'" ||
    fail "numproc held did not come back to 0 after the forkers: $(actl ubc)"
table=$(actl ubc | vz) || fail "vzubc's reading found no container: $(actl ubc)"
note "numproc per block (id held barrier limit failcnt): $(echo $table)"
[ "$(echo "$table" | awk '{ print $1 }' | sort | tr '\n' ' ')" = "101 $id " ] ||
    fail "blocks read: $(echo "$table" | awk '{ print $1 }' | tr '\n' ' '), want 101 and $id: $(actl ubc)"
# the same figures as the -t table: held, barrier, limit, failcnt
for ct in 101 web1; do
	bc=$ct; [ "$ct" = web1 ] && bc=$id
	want=$(echo "$table" | awk -v b="$bc" '$1 == b {
	    for (i = 2; i <= 5; i++) printf "%s ", ($i == 0 ? "-" : $i) }')
	got=$(actl ubc -t -v "$ct" | awk -F'|' '$1 ~ /numproc$/ {
	    split($2, h, " "); gsub(/ /, "", $4); gsub(/ /, "", $5);
	    gsub(/ /, "", $6); printf "%s %s %s %s ", h[1], $4, $5, $6 }')
	[ -n "$want" ] && [ "$want" = "$got" ] ||
	    fail "$ct: vzubc's reading gives '$want', ubc -t shows '$got'"
done
pass "a vzubc-style reader finds both containers, numbers as in ubc -t ($(echo $table))"

[ "$(actl ubc "$id")" = "$(actl ubc web1)" ] || fail "ubc $id and ubc web1 differ"
actl ubc "$id" | grep -q "^ *$id:  kmemsize\|^ *$id:  " || fail "ubc $id: $(actl ubc "$id")"
[ "$(actl ubc -t "$id")" = "$(actl ubc -t web1)" ] || fail "ubc -t by id and name differ"
actl ubc -j web1 | grep -q '"id": *"web1"' || fail "-j lost the name"
[ "$(actl events -j "$id" | grep -c '"ct"')" = "$(actl events -j web1 | grep -c '"ct"')" ] ||
    fail "events $id and events web1 differ"
actl ubc 1999999 > /dev/null 2>&1 && fail "ubc of an unknown id succeeded"
pass "ubc and events take the id or the name; -j keeps the name"

stop_daemon
start_daemon
[ "$(actl list -H -o ctid,bcid | awk '$1 == "web1" { print $2 }')" = "$id" ] ||
    fail "web1's id changed across a restart: $(actl list -o ctid,bcid)"
grep -q "^web1 $id\$" "$TDIR/state/bcids" || fail "state/bcids: $(cat "$TDIR/state/bcids")"
pass "web1 keeps $id across a restart of accountd"

actl destroy web1 || fail "destroy web1"
actl create web1 || fail "create web1 again"
id2=$(actl list -a -H -o ctid,bcid | awk '$1 == "web1" { print $2 }')
[ "$id2" -gt "$id" ] || fail "a destroyed container's id came back: $id then $id2"
pass "after destroy the id is not handed out again ($id, then $id2)"

# A kill -9 of accountd: an id handed out or forgotten since the file was
# last written whole (those lines are appended without fsync) survives it.
bcid() { actl list -a -H -o ctid,bcid | awk -v c="$1" '$1 == c { print $2 }'; }
actl create web2 > /dev/null || fail "create web2"
id3=$(bcid web2)
actl create web3 > /dev/null || fail "create web3"
id4=$(bcid web3)
actl destroy web3 || fail "destroy web3"
kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=
start_daemon
[ "$(bcid web1)" = "$id2" ] && [ "$(bcid web2)" = "$id3" ] ||
    fail "ids changed across a kill -9: web1 $id2 -> $(bcid web1), web2 $id3 -> $(bcid web2); state/bcids: $(cat "$TDIR/state/bcids")"
actl create web3 > /dev/null || fail "create web3 again"
id5=$(bcid web3)
[ "$id5" -gt "$id4" ] || fail "web3's id came back after a destroy and a kill -9: $id4 then $id5"
pass "a kill -9 keeps web1 $id2 and web2 $id3; destroyed web3 gets $id5, not $id4"

# An OS crash can lose those appended lines: the id of web4 is lost (its
# line cut from the file as a crash would leave it).  web4 gets a new id
# past every id handed out before (the synced mark), never an old one.
actl create web4 > /dev/null || fail "create web4"
id6=$(bcid web4)
grep -q "^web4 $id6\$" "$TDIR/state/bcids" || fail "no web4 line: $(cat "$TDIR/state/bcids")"
kill -KILL "$DPID"; wait "$DPID" 2> /dev/null; DPID=
grep -v "^web4 " "$TDIR/state/bcids" > "$TDIR/bcids.crash"
cat "$TDIR/bcids.crash" > "$TDIR/state/bcids"
start_daemon
id7=$(bcid web4)
[ -n "$id7" ] && [ "$id7" -gt "$id6" ] ||
    fail "web4's mapping lost: its new id '$id7' is not past $id6 (state/bcids: $(cat "$TDIR/state/bcids"))"
[ "$(bcid web1)" = "$id2" ] && [ "$(bcid web2)" = "$id3" ] && [ "$(bcid web3)" = "$id5" ] ||
    fail "ids changed: $(actl list -a -o ctid,bcid)"
pass "a lost line: web4 gets $id7, past $id6 and every id before; the others keep theirs"
