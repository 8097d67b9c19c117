#!/bin/bash
# The ledger's replica on a real PostgreSQL server (docs/fleet.md),
# started by this test on loopback in its own folder and removed at the
# end.  Three writers with host ids a, b and c, fed by three synthetic
# accountds (ledger-feed, 1 s intervals), copy their records to one
# database; meanwhile:
#   - the database is stopped for five intervals and started again;
#   - writer a is killed with -9 while it is blocked in a replication
#     statement (the table locked by another session), and restarted;
#   - a writer given sslmode=require fails to connect (no TLS here);
#   - the writer role's INSERT and UPDATE are revoked: the error is logged
#     and shown by acctctl bill --status, and the records catch up once
#     granted again.
# At the end the fleet bill of each host equals that host's local bill
# line for line, the fleet total is the sum of the three local totals,
# the database holds each local record exactly once, and host a's CPU
# time in the database equals the feed's counters exactly.
. "$(dirname "$0")/lib-ledger.sh"
T0=$(date +%s)
"$LEDGER" -R postgresql://x@127.0.0.1/x 2>&1 | grep -q "built without PostgreSQL" &&
    skip "accountd-ledger is built --without-postgresql"
. "$(dirname "$0")/lib-pg.sh"
fleet_cleanup() {
	local p
	for p in "${LPIDS[@]}"; do kill -KILL "$p" 2> /dev/null; done
	pg_stop
	ledger_cleanup
}
trap fleet_cleanup EXIT
pg_setup
pass "PostgreSQL on 127.0.0.1:$PORT"

# ---- the schema, by its owner; a password in the URI is refused
out=$("$LEDGER" --init-replica -R "postgresql://acct_owner:pw@127.0.0.1:$PORT/fleet" 2>&1) &&
    fail "a password in the URI was taken"
echo "$out" | grep -q "password" || fail "no word of the password: $out"
"$LEDGER" --init-replica -R "$OWNER_URI" -P "$PGD/ownerpw" -w acct_writer \
    -g acct_reader > /dev/null || fail "--init-replica"
"$LEDGER" --init-replica -R "$OWNER_URI" -P "$PGD/ownerpw" -w acct_writer \
    -g acct_reader > /dev/null || fail "--init-replica a second time"
[ "$(sql "SELECT max(version) FROM ledger.schema_version")" = 1 ] ||
    fail "schema version"
pass "schema made by its owner (twice: idempotent), version 1"

# ---- three hosts
declare -A NCT=([a]=4 [b]=3 [c]=5)
ROUNDS=440 PERIOD=50	# 22 s of rounds
for h in a b c; do
	mkdir "$TDIR/$h"
	"$FIXTURE" "$TDIR/$h/ledger.db" /dev/null || fail "ledger $h"
done
sleep 1
declare -A FEEDS WPID
for h in a b c; do
	"$FEED" "$TDIR/$h/snap" "${NCT[$h]}" $ROUNDS $PERIOD &
	FEEDS[$h]=$!
	LPIDS+=("$!")
done
start_writer() {	# HOST
	"$LEDGER" -d -s "$TDIR/$1/snap" -f "$TDIR/$1/ledger.db" -i 1 \
	    -S "$TDIR/$1/ledger.status" -R "$WURI" -H "$1" -P "$TDIR/writerpw" \
	    2>> "$TDIR/$1/ledger.log" &
	WPID[$1]=$!
	LPIDS+=("$!")
}
for h in a b c; do
	wait_for 5 test -s "$TDIR/$h/snap" || fail "no snapshot of $h"
	start_writer $h
done
hosts_in_db() { [ "$(sql "SELECT count(DISTINCT host) FROM ledger.usage")" = 3 ]; }
wait_for 10 hosts_in_db || fail "not three hosts in the database: $(cat "$TDIR"/*/ledger.log)"
pass "three writers replicate into one database"

# sslmode from the URI is libpq's: require against this server without TLS
"$FIXTURE" "$TDIR/tls.db" /dev/null || fail "ledger tls"
"$LEDGER" -d -s "$TDIR/a/snap" -f "$TDIR/tls.db" -i 1 -S "$TDIR/tls.status" \
    -R "${WURI%%\?*}?sslmode=require" -H tls -P "$TDIR/writerpw" \
    2> "$TDIR/tls.log" &
tls=$!
LPIDS+=("$tls")
wait_for 10 grep -q "^replica=error" "$TDIR/tls.status" ||
    fail "sslmode=require against a server without TLS: $(cat "$TDIR/tls.status")"
grep -q "^replica_error=.*SSL" "$TDIR/tls.status" ||
    fail "no word of SSL: $(grep replica_error "$TDIR/tls.status")"
kill -TERM "$tls"
wait "$tls" 2> /dev/null
pass "sslmode=require honoured: $(sed -n 's/^replica_error=//p' "$TDIR/tls.status" | sed 's/ *$//')"

status() { sed -n "s/^$2=//p" "$TDIR/$1/ledger.status" | sed 's/ *$//'; }
all_replica() {	# STATE
	local h
	for h in a b c; do [ "$(status $h replica)" = "$1" ] || return 1; done
}

# ---- the database stopped for five intervals
pg stop || fail "pg_ctl stop"
sleep 5
all_replica error || fail "no replica error in the status while the database is down"
status a replica_error | grep -q "cannot connect to the replica" ||
    fail "status: $(status a replica_error)"
c1=$(status a last_commit)
grep -q "records wait in the ledger" "$TDIR/a/ledger.log" ||
    fail "no error logged: $(tail -3 "$TDIR/a/ledger.log")"
[ "$(status a pending_since)" != - ] || fail "local commits stopped"
pg start || fail "restart: $(tail -5 "$PGD/log")"
pass "database down for 5 s: logged, status replica=error, local commits go on ($c1)"
wait_for 20 all_replica ok || fail "no catch-up: $(status a replica_error)"
pass "caught up after the restart"

# ---- kill -9 of writer a blocked in replication
sql "SELECT 1" > /dev/null
psql -X -q -h "$PGD/sock" -p "$PORT" -U acct_owner -d fleet -c \
    "BEGIN; LOCK TABLE ledger.usage IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT" \
    > /dev/null 2>&1 &
locker=$!
LPIDS+=("$locker")
waiting() { [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE
    application_name = 'accountd-ledger' AND wait_event_type = 'Lock'")" -ge 1 ]; }
wait_for 4 waiting || fail "no writer waiting on the lock"
kill -KILL "${WPID[a]}"
wait "${WPID[a]}" 2> /dev/null
start_writer a
wait "$locker"
pass "writer a killed with -9 inside a replication transaction, restarted"
kills=1
for _ in 1 2 3 4 5; do	# and at random moments
	sleep "0.$(( RANDOM % 9 + 1 ))"
	kill -KILL "${WPID[a]}" && kills=$((kills + 1))
	wait "${WPID[a]}" 2> /dev/null
	start_writer a
done
note "writer a killed $kills times"

# ---- permissions revoked
sql "REVOKE INSERT, UPDATE ON ledger.usage FROM acct_writer" || fail "revoke"
wait_for 10 all_replica error || fail "no error after the revoke"
grep -q "permission denied" "$TDIR/b/ledger.log" ||
    fail "permission error not logged: $(tail -3 "$TDIR/b/ledger.log")"
out=$(ACCTCTL_SOCKET=$TDIR/b/sock "$ACCTCTL" bill --status --ledger "$TDIR/b/ledger.db") &&
    fail "bill --status exits 0 with the replica failing"
echo "$out" | grep -q "writer replica=error" || fail "bill --status: $out"
echo "$out" | grep -q "writer replica_error=.*permission denied" ||
    fail "bill --status: $out"
sql "GRANT INSERT, UPDATE ON ledger.usage TO acct_writer" || fail "grant"
wait_for 20 all_replica ok || fail "no catch-up after the grant: $(status b replica_error)"
pass "revoked: logged, shown by acctctl bill --status (exit 1), caught up after the grant"

# ---- the end: every round written, then the writers stop (SIGTERM)
for h in a b c; do wait "${FEEDS[$h]}" || fail "feed $h"; done
sleep 1.5
for h in a b c; do
	kill -TERM "${WPID[$h]}"
	wait "${WPID[$h]}" || fail "writer $h exited $? at SIGTERM"
	[ "$(status $h replica_pending)" = 0 ] ||
	    fail "$h: $(status $h replica_pending) records left in the queue"
done
pass "all records replicated at the writers' stop"

range=(--from 2000-01-01 --to 2100-01-01 --rates "$S/tests/ledger/rates.conf")
# prices whose charges are whole micro-units (a CPU second or an I/O
# operation costs 0.000001), so that printed totals add up exactly
printf 'currency = EUR\ncpu_hour = 3600\nio_mops = 1\n' > "$TDIR/exact.conf"
exact=(--from 2000-01-01 --to 2100-01-01 --rates "$TDIR/exact.conf")
sum=0
for h in a b c; do
	"$ACCTCTL" bill --ledger "$TDIR/$h/ledger.db" "${range[@]}" -o csv \
	    > "$TDIR/$h.local.csv" || fail "local bill $h"
	"$ACCTCTL" bill --ledger "$RURI" --host $h "${range[@]}" -o csv \
	    > "$TDIR/$h.fleet.csv" || fail "fleet bill $h"
	cut -d, -f2- "$TDIR/$h.fleet.csv" | diff "$TDIR/$h.local.csv" - ||
	    fail "host $h: the fleet bill differs from the local one"
	[ "$(cut -d, -f1 "$TDIR/$h.fleet.csv" | sort -u | tr '\n' ' ')" = "$h host " ] ||
	    fail "host column of $h"
	local_n=$("$ACCTCTL" bill --ledger "$TDIR/$h/ledger.db" --raw \
	    --from 2000-01-01 --to 2100-01-01 | tail -n +2 | wc -l)
	db_n=$(sql "SELECT count(*) FROM ledger.usage WHERE host = '$h'")
	[ "$local_n" = "$db_n" ] || fail "host $h: $local_n local records, $db_n in the database"
	t=$("$ACCTCTL" bill --ledger "$TDIR/$h/ledger.db" "${exact[@]}" -o json |
	    sed -n 's/^  "total": \(.*\)}$/\1/p')
	sum=$(awk -v a="$sum" -v b="$t" 'BEGIN { printf "%.6f", a + b }')
	note "host $h: $local_n records, total $t"
done
pass "per host: fleet bill = local bill, line for line; records once each"
ft=$("$ACCTCTL" bill --ledger "$RURI" "${exact[@]}" -o json |
    sed -n 's/^  "total": \(.*\)}$/\1/p')
[ "$ft" = "$sum" ] || fail "fleet total $ft, sum of the hosts $sum"
n0=$("$ACCTCTL" bill --ledger "$RURI" "${range[@]}" --ct ct0 -o csv | tail -n +2 | wc -l)
[ "$n0" = 3 ] || fail "ct0 has $n0 lines, one per host expected"
"$ACCTCTL" bill --ledger "$RURI" "${range[@]}" | grep -q "^HOST  *CONTAINER" ||
    fail "no host column in the text bill"
pass "fleet total $ft = sum of the three; ct0 billed apart on each host"

bad=0
while IFS='|' read -r ct cpu; do
	i=${ct#ct}
	[ "$cpu" = $((ROUNDS * 1000 * (i + 1))) ] || { note "a/$ct: cpu $cpu"; bad=1; }
done < <(sql "SELECT container, sum(cpu_usec) FROM ledger.usage WHERE host = 'a' GROUP BY 1")
[ "$bad" = 0 ] || fail "host a's CPU time in the database is not the feed's"
pass "host a (killed $kills times): CPU time in the database exact"
out=$("$ACCTCTL" bill --ledger "$TDIR/a/ledger.db" --host a 2>&1) &&
    fail "--host on a local ledger accepted"
echo "$out" | grep -q "fleet ledger" || fail "--host error: $out"
pass "--host on a local ledger refused: $(echo "$out" | head -1)"
note "runtime $(( $(date +%s) - T0 )) s"
exit 0
