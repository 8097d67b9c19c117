#!/bin/bash
# The exporter alone, on a synthetic snapshot, asked with curl as a
# client would: both formats by the Accept header, gzip, the dashboard,
# every kind of bad request answered with a status and a one-line
# message, and the exporter still serving after each.  Needs no root and
# no cgroups (as root, the exporter drops to nobody).
. "$(dirname "$0")/lib-exp.sh"
need curl "the HTTP client of this test"
[ -x "$EXPORTER" ] || fail "no exporter at $EXPORTER"
exp_tdir
port=$(free_port)
base=http://127.0.0.1:$port
"$MKSNAP" "$TDIR/snapshot" 50 v2 || fail "mksnap"
chmod 644 "$TDIR/snapshot"
spawn "$TDIR/exporter.log" "$EXPORTER" -d -l "127.0.0.1:$port" -s "$TDIR/snapshot"
epid=$SPAWNED
wait_http 10 "$base/metrics" || { cat "$TDIR/exporter.log"; fail "no answer on $base"; }
if [ "$(id -u)" = 0 ]; then
	[ "$(stat -c %U "/proc/$epid")" = nobody ] || fail "started as root, runs as $(stat -c %U "/proc/$epid")"
	pass "started as root, serves as nobody"
fi

# --- formats ----------------------------------------------------------------
curl -s -D "$TDIR/h1" -o "$TDIR/text" "$base/metrics" || fail "GET /metrics"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$TDIR/h1" ||
    fail "no text 0.0.4 content type: $(cat "$TDIR/h1")"
grep -q '^accountd_beancounter_held_bytes{container="ct00000",resource="physpages"} [0-9]' "$TDIR/text" ||
    fail "no held_bytes sample for ct00000"
grep -q '^accountd_beancounter_failcnt_total{container="ct00003",resource="numproc"} ' "$TDIR/text" ||
    fail "no failcnt counter"
grep -q '^accountd_container_running{container="ct00009"} 0$' "$TDIR/text" ||
    fail "stopped container not 0"
pass "text 0.0.4 by default: $(wc -l < "$TDIR/text") lines"

om='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
curl -s -H "Accept: $om" -D "$TDIR/h2" -o "$TDIR/om" "$base/metrics"
grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$TDIR/h2" ||
    fail "Prometheus' Accept did not get OpenMetrics: $(cat "$TDIR/h2")"
[ "$(tail -n 1 "$TDIR/om")" = "# EOF" ] || fail "OpenMetrics body does not end with # EOF"
grep -q '^# TYPE accountd_beancounter_failcnt counter$' "$TDIR/om" || fail "OM counter TYPE"
grep -q '^# UNIT accountd_beancounter_held_bytes bytes$' "$TDIR/om" || fail "OM UNIT"
pass "OpenMetrics 1.0 for Prometheus' Accept header"

curl -s -H 'Accept-Encoding: gzip' -D "$TDIR/h3" -o "$TDIR/gz" "$base/metrics"
grep -qi '^Content-Encoding: gzip' "$TDIR/h3" || fail "no gzip"
gzip -dc < "$TDIR/gz" | cmp -s - "$TDIR/text" || fail "gzip body differs from the plain one"
pass "gzip when asked: $(stat -c %s "$TDIR/gz") bytes for $(stat -c %s "$TDIR/text")"
curl -s -H 'Accept-Encoding: gzip;q=0' -D "$TDIR/h4" -o /dev/null "$base/metrics"
grep -qi '^Content-Encoding' "$TDIR/h4" && fail "gzip;q=0 got gzip"
pass "gzip;q=0 refused"

# --- the dashboard ---------------------------------------------------------------
curl -s -D "$TDIR/h5" -o "$TDIR/page" "$base/"
grep -qi '^Content-Type: text/html; charset=utf-8' "$TDIR/h5" || fail "page content type"
grep -q 'id="ct-ct00001"' "$TDIR/page" || fail "no row for ct00001"
grep -Eq '(src|href)="(https?:)?//' "$TDIR/page" && fail "the page loads something from elsewhere"
[ "$(http_code "$base/?ct=ct00001&period=1w")" = 200 ] || fail "one container's page"
pass "dashboard: $(grep -c 'class="ct' "$TDIR/page") rows, no external resources"

# --- bad requests: a status, a one-line message, and still serving ---------------
check_bad() {	# WANT_CODE WANT_TEXT URL [curl options]
	local code body
	body=$(curl -s -w '\n%{http_code}' --max-time 10 "${@:4}" "$3")
	code=${body##*$'\n'}
	body=${body%$'\n'*}
	body=${body%$'\n'}
	[ "$code" = "$1" ] || fail "$3: status $code, expected $1 ($body)"
	case $body in *"$2"*) ;; *) fail "$3: '$body' does not say '$2'" ;; esac
	[ "$(echo "$body" | wc -l)" = 1 ] || fail "$3: more than one line: $body"
	[ "$(http_code "$base/metrics")" = 200 ] || fail "not serving after $3"
	note "$code $3: $body"
}
check_bad 400 "unknown query parameter 'x'" "$base/metrics?x=1"
check_bad 400 "bad sort 'bogus'" "$base/?sort=bogus"
check_bad 404 "unknown container 'nope'" "$base/?ct=nope"
check_bad 400 "bad period '2d'" "$base/?period=2d"
check_bad 400 "given twice" "$base/?ct=a&ct=b"
check_bad 400 "malformed value" "$base/?ct=%zz"
check_bad 400 "malformed value" "$base/?ct=%00"
check_bad 400 "missing ct=" "$base/graph"
check_bad 400 "bad resource" "$base/graph?ct=ct00001&resource=bogus"
check_bad 404 "no graphs" "$base/graph?ct=ct00001"
check_bad 404 "not found" "$base/nope"
check_bad 405 "only GET and HEAD" "$base/metrics" -X POST
check_bad 405 "only GET and HEAD" "$base/metrics" -X DELETE
# a header far over the limit, a broken request line, a half-sent request
code=$(http_code "$base/metrics" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)")
[ "$code" = 200 ] && fail "a 40 kB header was accepted"
printf 'GARBAGE\r\n\r\n' > "/dev/tcp/127.0.0.1/$port" 2> /dev/null
(exec 3<> "/dev/tcp/127.0.0.1/$port"; printf 'GET /metr' >&3) 2> /dev/null
[ "$(http_code "$base/metrics")" = 200 ] || fail "not serving after malformed requests"
kill -0 "$epid" || fail "the exporter died"
pass "bad requests get 4xx with a one-line message; the exporter keeps serving"

# --- snapshot updates and absence -------------------------------------------------
r1=$(awk '/^accountd_sampling_rounds_total/ { print $2 }' "$TDIR/text")
"$MKSNAP" "$TDIR/snapshot2" 5 v1 3 &
mk=$!
EXTRA_PIDS+=("$mk")
sleep 0.5
chmod 644 "$TDIR/snapshot2"
port2=$(free_port)
spawn "$TDIR/exporter2.log" "$EXPORTER" -d -l "127.0.0.1:$port2" -s "$TDIR/snapshot2"
wait_http 10 "http://127.0.0.1:$port2/metrics" || fail "second exporter"
a=$(curl -s "http://127.0.0.1:$port2/metrics" | awk '/^accountd_sampling_rounds_total/ { print $2 }')
sleep 2.2
b=$(curl -s "http://127.0.0.1:$port2/metrics" | awk '/^accountd_sampling_rounds_total/ { print $2 }')
[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ] || fail "rounds did not advance ($a -> $b)"
pass "a new round is served as it is published ($a -> $b); the first had $r1"
wait "$mk"
port3=$(free_port)
spawn "$TDIR/exporter3.log" "$EXPORTER" -d -l "127.0.0.1:$port3" -s "$TDIR/none"
for _ in $(seq 1 50); do
	code=$(http_code "http://127.0.0.1:$port3/metrics")
	[ "$code" = 503 ] && break
	sleep 0.1
done
[ "$code" = 503 ] || fail "no snapshot: status $code, expected 503"
note "$(curl -s "http://127.0.0.1:$port3/metrics")"
pass "no snapshot: 503 with the reason"

if [ "$(id -u)" = 0 ]; then
	out=$("$EXPORTER" -d -l "127.0.0.1:$(free_port)" -u root -s "$TDIR/snapshot" 2>&1) &&
	    fail "ran with -u root"
	case $out in *"will not serve HTTP as root"*) ;; *) fail "-u root: $out" ;; esac
	pass "refuses to serve as root: $out"
fi
out=$("$EXPORTER" -l 0.0.0.0 2>&1) && fail "bad listen address accepted"
note "$out"
exit 0
