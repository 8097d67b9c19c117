#!/bin/bash
# kill -9 of the ledger writer at random moments (every 0.1 to 1 s, about
# 20 times) while a synthetic accountd (ledger-feed) publishes exact
# counters; the writer is started again each time, as accountd would.  At the end every
# container's CPU time, I/O and failcnt in the ledger equal the feed's
# final counters exactly (nothing lost, nothing counted twice), and the
# file is sound.  Runs as any user.
. "$(dirname "$0")/lib-ledger.sh"
N=20 ROUNDS=240 PERIOD=50	# 12 s of rounds
db=$TDIR/ledger.db
# the ledger is made before the containers start (else they are a baseline)
"$FIXTURE" "$db" /dev/null || fail "cannot make the ledger"
sleep 1
"$FEED" "$TDIR/snap" $N $ROUNDS $PERIOD &
feed=$!
LPIDS+=("$feed")
wait_for 5 test -s "$TDIR/snap" || fail "no snapshot"
kills=0
while kill -0 "$feed" 2> /dev/null; do
	"$LEDGER" -d -s "$TDIR/snap" -f "$db" -i 1 -S "$TDIR/status" \
	    2>> "$TDIR/ledger.log" &
	lp=$!
	sleep "0.$(( RANDOM % 9 + 1 ))$(( RANDOM % 10 ))"
	kill -KILL "$lp" 2> /dev/null && kills=$((kills + 1))
	wait "$lp" 2> /dev/null
done
wait "$feed" || fail "the feed failed"
[ "$kills" -ge 10 ] || fail "only $kills kills"
pass "killed the writer $kills times with SIGKILL"
[ "$(integrity "$db")" = ok ] || fail "integrity: $(integrity "$db")"
pass "the file is sound after the kills"
# a last run sees the final round and writes it at SIGTERM
"$LEDGER" -d -s "$TDIR/snap" -f "$db" -i 1 -S "$TDIR/status" \
    2>> "$TDIR/ledger.log" &
lp=$!
LPIDS+=("$lp")
sleep 1.5
kill -TERM "$lp"
wait "$lp" || fail "the writer exited $? at SIGTERM"
grep -q "^state=ok$" "$TDIR/status" || fail "status: $(cat "$TDIR/status")"
bad=0
for i in $(seq 0 $((N - 1))); do
	cpu=$(raw_sum "$db" "ct$i" cpu_usec)
	io=$(raw_sum "$db" "ct$i" io_rbytes)
	ops=$(raw_sum "$db" "ct$i" io_rios)
	fc=$(raw_sum "$db" "ct$i" failcnt)
	want=$((ROUNDS * 1000 * (i + 1)))
	if [ "$cpu" != "$want" ] || [ "$io" != $((ROUNDS * 4096)) ] ||
	    [ "$ops" != "$ROUNDS" ] || [ "$fc" != $((ROUNDS / 10)) ]; then
		note "ct$i: cpu $cpu (want $want) io $io ops $ops failcnt $fc"
		bad=1
	fi
done
[ "$bad" = 0 ] || fail "totals differ from the counters"
pass "all $N containers: CPU, I/O bytes and operations, failcnt exact"
recs=$("$ACCTCTL" bill --ledger "$db" --raw --from 2000-01-01 --to 2100-01-01 | wc -l)
note "$((recs - 1)) records"
[ "$(integrity "$db")" = ok ] || fail "integrity at the end: $(integrity "$db")"
exit 0
