#!/bin/bash
# The ledger's replica under accountd (docs/fleet.md): accountd started
# with ledger_replica, ledger_host_id and ledger_replica_password_file
# passes them to its writer (nobody), which copies a real container's
# records to a PostgreSQL server of the test's own; the database's CPU
# time equals the local ledger's, the fleet bill of the host equals its
# local bill, and acctctl status shows the replica.  A URI holding a
# password is refused by accountd.  (Not in the VM: no PostgreSQL there.)
. "$(dirname "$0")/lib.sh"
require_cgroups
LEDGER_BIN=${ACCT_LEDGER:-${ACCT_BIN:-.}/accountd-ledger}
[ -x "$LEDGER_BIN" ] || skip "no accountd-ledger at $LEDGER_BIN"
id nobody > /dev/null 2>&1 || skip "no user nobody to run the writer as"
"$LEDGER_BIN" -R postgresql://x@127.0.0.1/x 2>&1 | grep -q "built without PostgreSQL" &&
    skip "accountd-ledger is built --without-postgresql"
libpg=$(dirname "$0")/../ledger/lib-pg.sh
[ -f "$libpg" ] || skip "no tests/ledger/lib-pg.sh here (the VM payload has no PostgreSQL)"
prepare_tdir
chmod 755 "$TDIR"	# the writer (nobody) reaches its folder and the snapshot
# shellcheck source=../ledger/lib-pg.sh
. "$libpg"
trap 'rc=$?; pg_stop; (exit $rc); cleanup' EXIT
pg_setup
"$LEDGER_BIN" --init-replica -R "$OWNER_URI" -P "$PGD/ownerpw" \
    -w acct_writer -g acct_reader > /dev/null || fail "--init-replica"
# the writer runs as nobody: its password file is nobody's
chown nobody "$TDIR/writerpw"
pass "PostgreSQL on 127.0.0.1:$PORT with the replica's schema"

out=$("$ACCOUNTD" -n -o "ledger_replica=postgresql://acct_writer:pw@127.0.0.1:$PORT/fleet" 2>&1) &&
    fail "a password in ledger_replica was taken"
echo "$out" | grep -q "ledger_replica_password_file" || fail "refusal: $out"
pass "a password in ledger_replica refused: $out"

db=$TDIR/ledger/ledger.db
mkdir "$TDIR/ledger"
start_daemon -o ledger=yes -o ledger_program="$LEDGER_BIN" \
    -o ledger_path="$db" -o ledger_interval=1 -o ledger_user=nobody \
    -o ledger_replica="$WURI" -o ledger_host_id=it-host \
    -o ledger_replica_password_file="$TDIR/writerpw"
sleep 1.5
actl create 811 --ram 64M > /dev/null || fail "create"
bg_in 811 "$HELPERS/cpuburn" 4
rows() { sql "SELECT count(*) FROM ledger.usage WHERE host = 'it-host' AND container = '811'"; }
wait_for 15 sh -c "[ \$(psql -X -At -h '$PGD/sock' -p $PORT -U acct_owner -d fleet -c \"SELECT count(*) FROM ledger.usage WHERE host = 'it-host' AND container = '811'\") -ge 3 ]" ||
    fail "no records of 811 in the database: $(cat "$TDIR"/ledger.status 2> /dev/null; tail -5 "$TDIR/daemon.log")"
pass "records of 811 replicated under host id it-host ($(rows) so far)"
st=$(actl status) || fail "status"
echo "$st" | grep -q "^ledger replica: ok since .*records queued" ||
    fail "acctctl status: $st"
pass "acctctl status: $(echo "$st" | grep '^ledger replica')"
actl destroy 811 > /dev/null 2>&1 || actl stop 811 > /dev/null 2>&1
stop_daemon
local_cpu=$(actl bill --ledger "$db" --raw --from 2000-01-01 --to 2100-01-01 --ct 811 |
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu_usec") c = i; next }
        { s += $c } END { print s + 0 }')
db_cpu=$(sql "SELECT coalesce(sum(cpu_usec), 0) FROM ledger.usage WHERE host = 'it-host' AND container = '811'")
[ "$local_cpu" -gt 0 ] && [ "$local_cpu" = "$db_cpu" ] ||
    fail "CPU time: local $local_cpu, database $db_cpu"
range=(--from 2000-01-01 --to 2100-01-01)
actl bill --ledger "$db" "${range[@]}" -o csv > "$TDIR/local.csv"
actl bill --ledger "$RURI" --host it-host "${range[@]}" -o csv | cut -d, -f2- |
    diff "$TDIR/local.csv" - || fail "the fleet bill differs from the local one"
pass "after accountd's stop: database CPU time = local ($db_cpu us), fleet bill = local bill"
exit 0
