#!/bin/bash
# The exporter's limits on connections, as a hostile client would test
# them (issue 14, defect 10), with a normal scrape beside:
#   - a header line every second (slowloris) resets an idle timer for
#     ever; the request deadline (-T 3 here) cuts the connection;
#   - at most -m connections at once: one more gets a 503 and is closed,
#     logged once; when the others close, a scrape is served again.
# Needs no root and no cgroups.
. "$(dirname "$0")/lib-exp.sh"
need curl "the HTTP client of this test"
[ -x "$EXPORTER" ] || fail "no exporter at $EXPORTER"
exp_tdir
port=$(free_port)
base=http://127.0.0.1:$port
"$MKSNAP" "$TDIR/snapshot" 5 v2 || fail "mksnap"
chmod 644 "$TDIR/snapshot"
spawn "$TDIR/exporter.log" "$EXPORTER" -d -l "127.0.0.1:$port" \
    -s "$TDIR/snapshot" -m 4 -T 3
wait_http 10 "$base/metrics" || { cat "$TDIR/exporter.log"; fail "no answer on $base"; }

# --- slowloris: one header line a second -------------------------------------
exec 3<> "/dev/tcp/127.0.0.1/$port" || fail "connect"
printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&3
t0=$(date +%s%N)
cut=
for i in $(seq 1 12); do
	sleep 1
	printf 'X-Drip-%d: x\r\n' "$i" >&3 2> /dev/null || { cut=write; break; }
	if read -r -t 0.1 -u 3 line; then
		fail "the exporter answered an unfinished request: $line"
	elif [ $? -lt 128 ]; then
		cut=eof; break		# EOF: closed by the exporter
	fi
	[ "$(http_code "$base/metrics")" = 200 ] ||
	    fail "a normal scrape failed beside the slow client"
done
exec 3>&-
el=$(( ($(date +%s%N) - t0) / 1000000 ))
[ -n "$cut" ] || fail "a header line a second kept the connection 12 s (deadline 3 s)"
[ "$el" -le 6000 ] || fail "cut after $el ms (deadline 3 s)"
pass "a header line a second cut after $el ms (deadline 3 s); scrapes served meanwhile"

# --- the cap ----------------------------------------------------------------
for fd in 4 5 6 7; do
	eval "exec $fd<> /dev/tcp/127.0.0.1/$port" || fail "connect $fd"
done
sleep 0.3
exec 8<> "/dev/tcp/127.0.0.1/$port" || fail "connect past the cap"
if read -r -t 3 -u 8 status; then
	case $status in
	"HTTP/1.1 503"*) ;;
	*) fail "past the cap: '$status' (want a 503)" ;;
	esac
else
	fail "past the cap: no answer in 3 s"
fi
exec 8>&-
code=$(http_code "$base/metrics")
[ "$code" = 503 ] || [ "$code" = 000 ] || fail "a scrape past the cap got $code"
pass "a fifth connection past -m 4 gets a 503"
for fd in 4 5 6 7; do eval "exec $fd>&-"; done
sleep 0.2
[ "$(http_code "$base/metrics")" = 200 ] || fail "no scrape after the others closed"
pass "the others closed: a scrape is served"
n=$(grep -c 'refused: at most 4 at once' "$TDIR/exporter.log")
[ "$n" = 1 ] || fail "$n log lines for the refusals (want 1, rate-limited): $(cat "$TDIR/exporter.log")"
pass "the refusals logged once"
