#!/bin/bash
# Benchmarks of fleet billing on PostgreSQL (docs/fleet.md), on a server
# of its own on loopback (tests/ledger/lib-pg.sh):
#   1. replication throughput: 4 ledger writers, each with a backlog of
#      25,000 hourly records (250 containers x 100 hours), copying them
#      at once; records per second into the database, beside the need of
#      1,000 hosts x 1,000 containers hourly (278 records/s) and beside
#      the server's own bulk load (psql \copy) of the same rows;
#   2. acctctl bill --ledger postgresql://... over a month of 1,008,000
#      records (100 hosts x 14 containers x 720 hours; budget <= 5 s),
#      median of 3, beside the bare COPY of the same rows to psql.
#   bench/fleet.sh [quick]
set -uo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
S=$(cd "$(dirname "$0")/.." && pwd)
quick=${1:-}
TDIR=$(mktemp -d /tmp/acctd-bench-fleet.XXXXXX)
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
. "$S/tests/ledger/lib-pg.sh"
trap 'kill $(jobs -p) 2> /dev/null; wait; pg_stop; rm -rf "$TDIR"' EXIT
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null || return 1
	t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

pg_setup
"$B/ledger/accountd-ledger" --init-replica -R "$OWNER_URI" -P "$PGD/ownerpw" \
    -w acct_writer -g acct_reader > /dev/null || fail "--init-replica"

echo "== replication throughput"
W=4 CTS=250 HOURS=100
[ -n "$quick" ] && HOURS=10
"$B/tests/ledger/ledger-feed" "$TDIR/snap" 1 0 1000 &
for i in $(seq 1 $W); do
	"$B/bench/ledger-bench" fill "$TDIR/h$i.db" $CTS $HOURS > /dev/null ||
	    fail "fill"
done
t0=$(now_ms)
for i in $(seq 1 $W); do
	"$B/ledger/accountd-ledger" -d -s "$TDIR/snap" -f "$TDIR/h$i.db" \
	    -i 3600 -S "$TDIR/st$i" -R "$WURI" -H "host$i" -P "$TDIR/writerpw" \
	    2> "$TDIR/w$i.log" &
done
want=$((W * CTS * HOURS))
for _ in $(seq 1 1200); do
	[ "$(sql "SELECT count(*) FROM ledger.usage")" -ge "$want" ] && break
	sleep 0.1
done
t1=$(now_ms)
got=$(sql "SELECT count(*) FROM ledger.usage")
[ "$got" = "$want" ] || fail "$got of $want records replicated"
rate=$(( want * 1000 / (t1 - t0) ))
sql "COPY (SELECT * FROM ledger.usage) TO STDOUT" > "$TDIR/rows.copy"
sql "CREATE UNLOGGED TABLE scratch (LIKE ledger.usage INCLUDING ALL)"
c0=$(now_ms)
psql -X -q -h "$PGD/sock" -p "$PORT" -U acct_owner -d fleet \
    -c "\\copy scratch FROM '$TDIR/rows.copy'" || fail "\\copy"
c1=$(now_ms)
echo "replication, $W writers catching up $want records: $((t1 - t0)) ms," \
    "$rate records/s (need: 1,000 hosts x 1,000 containers hourly = 278/s;" \
    "$((rate * 3600 / 1000000)) million records/hour);" \
    "peer, the server's bulk load (\\copy) of the same rows: $((want * 1000 / (c1 - c0 + 1))) records/s"
for i in $(seq 1 $W); do
	grep -q "error" "$TDIR/w$i.log" && { echo "writer $i:"; cat "$TDIR/w$i.log"; }
done

echo "== acctctl bill over a month of the fleet"
HOSTS=100 N=14 H=720
[ -n "$quick" ] && H=72
recs=$((HOSTS * N * H))
for i in $(seq 1 $W); do kill -TERM %$((i + 1)) 2> /dev/null; done
sql "TRUNCATE ledger.usage" || fail "truncate"
sql "SELECT ledger.ensure_partition(1793491200)" > /dev/null
# records of 2026-11: a start every hour, figures varying by record
sql "INSERT INTO ledger.usage SELECT 'h' || (g % $HOSTS), 'ct' || (g / $HOSTS % $N),
    1793491200 + (g / ($HOSTS * $N)) * 3600, 1793491200 + (g / ($HOSTS * $N) + 1) * 3600,
    'interval', 3600000, 1000000 + g % 977, 1073741824::bigint * 3600, 1073741824::bigint * 3600,
    1073741824::bigint * 3600, 1073741824 + g % 4096, 0, 0, NULL, NULL, g % 65536, 4096, g % 100, 1, g % 3,
    2147483648, NULL, 200, NULL, NULL, NULL, NULL
    FROM generate_series(0, $recs - 1) g ON CONFLICT DO NOTHING" || fail "load"
sql "ANALYZE ledger.usage" > /dev/null
lines=$("$B/cli/acctctl" bill --ledger "$RURI" --from 2026-11-01 --to 2026-12-01 -o csv | wc -l)
[ "$lines" = $((HOSTS * N + 1)) ] || fail "$lines lines, $((HOSTS * N + 1)) expected"
for fmt in text csv; do
	for _ in 1 2 3; do
		ms "$B/cli/acctctl" bill --ledger "$RURI" --from 2026-11-01 \
		    --to 2026-12-01 --rates "$S/tests/ledger/rates.conf" -o $fmt
	done | med | sed "s/^/acctctl bill --ledger postgresql:\/\/ -o $fmt, $recs records ($HOSTS hosts x $N containers x $H hours): median /; s/\$/ ms (budget: <= 5000 ms)/"
done
for _ in 1 2 3; do
	ms psql -X -q -h 127.0.0.1 -p "$PORT" -U acct_reader -d fleet -c \
	    "COPY (SELECT host, container, start, \"end\", kind, covered_ms, cpu_usec, ram_bs, ram_limit_bs, ram_alloc_bs, ram_peak, swap_bs, swap_peak, disk_bs, disk_peak, io_rbytes, io_wbytes, io_rios, io_wios, failcnt, ram_limit, swap_limit, cpulimit, cpus, numproc, disk_soft, disk_hard FROM ledger.usage WHERE start >= 1793491200 AND start < 1796083200) TO STDOUT"
done | med | sed "s/^/floor, the same rows copied to psql: median /; s/\$/ ms/"
exit 0
