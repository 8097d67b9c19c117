# shellcheck shell=bash
# A PostgreSQL server of a test's own (sourced by tests/ledger/fleet-pg.sh
# and bench/fleet.sh, after TDIR, fail and skip are set): made with initdb
# in $TDIR/pg as an unprivileged user (initdb refuses root), listening on
# a loopback port below the ephemeral range and on a socket in its
# folder; pg_stop (call it from the EXIT trap) stops it.
#
#   pg_setup	the server, database fleet, roles acct_owner (the owner,
#		over the socket without password), acct_writer and
#		acct_reader (passwords over TCP); sets PORT, OWNER_URI,
#		WURI (the writer's, password in $TDIR/writerpw), RURI (the
#		reader's, password in PGPASSFILE)
#   sql SQL	psql as the owner, unaligned, one value per line

# a loopback port below the ephemeral range, as tests/integration/lib.sh
free_port() {
	local p lo=32768
	read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null
	[ "$lo" -gt 12000 ] 2> /dev/null || lo=32768
	for _ in $(seq 1 200); do
		p=$(( 10000 + RANDOM % (lo - 10000) ))
		(exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return 0; }
	done
	return 1
}

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)
PGD=$TDIR/pg
as_pg=()

pg() {	# start | stop
	case $1 in
	start) "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w \
	    -o "-k $PGD/sock -h 127.0.0.1 -p $PORT -c fsync=off" start ;;
	stop) "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGD/data" -m fast -w stop ;;
	esac > /dev/null
}

pg_stop() {
	[ -f "$PGD/data/postmaster.pid" ] && pg stop
	return 0
}

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PGD/sock" -p "$PORT" \
    -U acct_owner -d "${DB:-fleet}" -c "$1"; }

pg_setup() {
	local u
	[ -x "$PGBIN/initdb" ] || skip "no PostgreSQL server (Debian: postgresql)"
	command -v psql > /dev/null || skip "no psql (Debian: postgresql-client)"
	mkdir -p "$PGD/sock"
	if [ "$(id -u)" = 0 ]; then
		u=postgres
		id "$u" > /dev/null 2>&1 || u=nobody
		chmod 0711 "$TDIR"
		as_pg=(runuser -u "$u" --)
	fi
	PORT=$(free_port) || fail "no free port"
	echo owner-secret > "$PGD/ownerpw"
	[ -n "${u:-}" ] && chown -R "$u" "$PGD"
	"${as_pg[@]}" "$PGBIN/initdb" -D "$PGD/data" -U acct_owner \
	    --pwfile="$PGD/ownerpw" --auth-local=trust \
	    --auth-host=scram-sha-256 > "$TDIR/initdb.log" 2>&1 ||
	    fail "initdb: $(tail -5 "$TDIR/initdb.log")"
	pg start || fail "the server does not start: $(tail -5 "$PGD/log")"
	DB=postgres sql "CREATE DATABASE fleet" || fail "create database"
	sql "CREATE ROLE acct_writer LOGIN PASSWORD 'writer-secret';
	     CREATE ROLE acct_reader LOGIN PASSWORD 'reader-secret'" ||
	    fail "create roles"
	# shellcheck disable=SC2034	# for the script that sources this
	OWNER_URI="postgresql://acct_owner@127.0.0.1:$PORT/fleet?sslmode=disable"
	# shellcheck disable=SC2034
	WURI="postgresql://acct_writer@127.0.0.1:$PORT/fleet?sslmode=disable"
	# shellcheck disable=SC2034
	RURI="postgresql://acct_reader@127.0.0.1:$PORT/fleet?sslmode=disable"
	echo writer-secret > "$TDIR/writerpw"
	chmod 0600 "$TDIR/writerpw"
	printf '127.0.0.1:%s:fleet:acct_reader:reader-secret\n' "$PORT" \
	    > "$TDIR/pgpass"
	chmod 0600 "$TDIR/pgpass"
	export PGPASSFILE=$TDIR/pgpass
}
