#!/bin/bash
# Parsing (issue 14, defect 11), end to end:
# - --iodevices -1:-1, --numproc 0 and a count beyond LONG_MAX are
#   refused (exit 2, the accepted form named) and change nothing: before,
#   the first was stored as 4294967295:4294967295, the second wrote
#   pids.max 0 and the third became unlimited;
# - "save":"false" (a string) over the socket is a type error, not a
#   save (json-c took any non-empty string as true);
# - acctctl plan --config /dev/zero, a FIFO or a 2 MiB file are refused
#   at once (/dev/zero grew acctctl to 2.7 GB in 4 s), and so is an
#   accountd.conf that is not a regular file;
# - a corrupt events.log never gives negative, repeated or falling
#   sequence numbers, nor an event that crashes `acctctl events CT`
#   (a "ct": null line did): bad lines are skipped, with a count logged.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
[ -x "$HELPERS/ctlabuse" ] || fail "no ctlabuse helper at $HELPERS"
prepare_tdir

# events.log as a crash and a hand edit could leave it
mkdir -p "$TDIR/state"
cat > "$TDIR/state/events.log" <<'EOF'
{"seq":5,"time":"2026-01-01T00:00:00.000Z","type":"failcnt","ct":"221","resource":"numproc","failcnt":1,"delta":1,"held":3,"maxheld":3,"barrier":3,"limit":3,"unit":"items"}
{"seq":-3,"ct":"221","type":"failcnt","resource":"numproc"}
{"seq":2,"ct":"221","type":"failcnt","resource":"numproc"}
not json at all
{"seq":18446744073709551615,"ct":"221","type":"failcnt","resource":"numproc"}
{"seq":7,"ct":null,"type":"failcnt","resource":"numproc"}
{"seq":9,"time":"2026-01-01T00:00:01.000Z","type":"failcnt","ct":"221","resource":"numproc","failcnt":2,"delta":1,"held":3,"maxheld":3,"barrier":3,"limit":3,"unit":"items"}
{"seq":10,"ct":"221","type":"fail
EOF
start_daemon
seqs() { actl -j events -n 100 "$@" | sed -n 's/.*"seq": *\(-\{0,1\}[0-9]*\).*/\1/p' | tr '\n' ' '; }
got=$(seqs)
note "sequence numbers read back: $got"
[ "$got" = "5 9 " ] || fail "expected the events 5 and 9 only, got: $got"
grep -q "events.log: 6 corrupt or out-of-order lines skipped" "$TDIR/daemon.log" ||
    fail "no log line counting the skipped lines"
actl create 221 --numproc 3 > /dev/null || fail "create 221"
actl events 221 > /dev/null || fail "acctctl events 221 fails"
kill -0 "$DPID" 2> /dev/null || fail "accountd died on acctctl events 221"
actl exec 221 -- "$HELPERS/forker" 5 > /dev/null
wait_for 10 sh -c "'$ACCTCTL' -j events -n 100 2> /dev/null | grep -q '\"seq\": *10[,}]'" ||
    fail "the next event is not seq 10: $(seqs)"
got=$(seqs)
note "after a new event: $got"
prev=0
for s in $got; do
	[ "$s" -gt "$prev" ] || fail "sequence numbers not rising: $got"
	prev=$s
done
pass "a corrupt events.log: bad lines skipped and counted, numbers positive and rising (next is 10)"

# bad values: refused, the kernel file untouched
pids=$(knob 221 pids pids.max pids.max)
check() {	# WANT-RC WORD ARGS...
	local want=$1 word=$2 out rc; shift 2
	out=$(actl "$@" 2>&1); rc=$?
	note "acctctl $*: exit $rc: $out"
	[ "$rc" = "$want" ] || fail "acctctl $*: exit $rc, expected $want: $out"
	echo "$out" | grep -q -- "$word" || fail "acctctl $*: no '$word' in: $out"
}
check 2 "0..4095"	set 221 --iodevices -1:-1
check 2 "accepted"	set 221 --numproc 0
check 2 "too large"	set 221 --numproc 99999999999999999999
[ "$(knob 221 pids pids.max pids.max)" = "$pids" ] ||
    fail "pids.max changed from $pids to $(knob 221 pids pids.max pids.max)"
actl -j show 221 | grep -q '4294967295' && fail "4294967295 stored for a device"
pass "--iodevices -1:-1, --numproc 0 and a count beyond LONG_MAX refused; pids.max stays $pids"

# "save": a JSON boolean or nothing
conf=$TDIR/ct/221.conf
before=$(cat "$conf")
out=$("$HELPERS/ctlabuse" send "$ACCTCTL_SOCKET" \
    '{"cmd":"set","ct":"221","params":{"numproc":"40"},"save":"false"}')
note "set with \"save\":\"false\": $out"
echo "$out" | grep -q '"ok":false' || fail "\"save\":\"false\" was accepted: $out"
echo "$out" | grep -q 'not a boolean' || fail "the refusal does not name the type: $out"
[ "$(cat "$conf")" = "$before" ] || fail "221.conf changed"
[ "$(knob 221 pids pids.max pids.max)" = "$pids" ] || fail "pids.max changed"
out=$("$HELPERS/ctlabuse" send "$ACCTCTL_SOCKET" \
    '{"cmd":"set","ct":"221","params":{"numproc":"40"},"save":false}')
echo "$out" | grep -q '"ok":true' || fail "\"save\":false refused: $out"
[ "$(cat "$conf")" = "$before" ] || fail "\"save\":false saved"
[ "$(knob 221 pids pids.max pids.max)" = 40 ] || fail "\"save\":false not applied"
pass "\"save\":\"false\" refused as a type error, nothing applied or saved; false works"

# config files: bounded, regular files only
mkfifo "$TDIR/fifo.conf"
head -c 2097152 /dev/zero | tr '\0' '#' > "$TDIR/big.conf"
for f in /dev/zero "$TDIR/fifo.conf" "$TDIR/big.conf" "$TDIR"; do
	out=$(timeout 10 "$ACCTCTL" plan --config "$f" 2>&1); rc=$?
	note "acctctl plan --config $f: exit $rc: $out"
	[ "$rc" = 2 ] || fail "plan --config $f: exit $rc (expected 2 at once)"
	echo "$out" | grep -q "$f" || fail "the error does not name $f: $out"
done
out=$(timeout 10 "$ACCOUNTD" -n -f "$TDIR/fifo.conf" 2>&1); rc=$?
note "accountd -n -f FIFO: exit $rc: $out"
[ "$rc" = 1 ] && echo "$out" | grep -q "not a regular file" ||
    fail "accountd -f FIFO: exit $rc: $out"
pass "configs that are not regular files or are over 1 MiB are refused at once"
kill -0 "$DPID" || fail "accountd died"
