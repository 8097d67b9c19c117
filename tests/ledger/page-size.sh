#!/bin/bash
# The ledger bills a row of pages in the snapshot's 4 KiB pages whatever
# the host's page size: accountd-ledger runs with sysconf(_SC_PAGESIZE)
# made to answer 65536 (tests/ledger/pagesize-64k.so, as on a 64 KiB-page
# host) on a feed whose containers hold 1000 physpages; the ledger's RAM
# peak must be 1000 x 4096 bytes, not 16 times that.  Runs as any user.
. "$(dirname "$0")/lib-ledger.sh"
SHIM=$B/tests/ledger/pagesize-64k.so
[ -f "$SHIM" ] || skip "$SHIM is not built"
case " ${LD_PRELOAD:-} $(ldd "$LEDGER" 2> /dev/null)" in
*libasan*) skip "an ASan build: a preloaded library must come after ASan's" ;;
esac
db=$TDIR/ledger.db
"$FIXTURE" "$db" /dev/null || fail "cannot make the ledger"
sleep 1
"$FEED" "$TDIR/snap" 2 40 50 &
feed=$!
LPIDS+=("$feed")
wait_for 5 test -s "$TDIR/snap" || fail "no snapshot"
LD_PRELOAD=$SHIM "$LEDGER" -d -s "$TDIR/snap" -f "$db" -i 1 \
    -S "$TDIR/status" 2>> "$TDIR/ledger.log" &
lp=$!
LPIDS+=("$lp")
wait "$feed" || fail "the feed failed"
sleep 1
kill -TERM "$lp"
wait "$lp" || fail "the writer exited $? at SIGTERM ($(cat "$TDIR/ledger.log"))"
peak=$("$ACCTCTL" bill --ledger "$db" --raw -o csv --from 2000-01-01 \
    --to 2100-01-01 --ct ct0 | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++)
    if ($i == "ram_peak") c = i; next } $c > m { m = $c } END { print m + 0 }')
[ "$peak" = $((1000 * 4096)) ] ||
	fail "RAM peak $peak bytes with 64 KiB host pages (want $((1000 * 4096)): 1000 pages of 4 KiB)"
pass "1000 physpages billed as $peak bytes with a 64 KiB host page"
