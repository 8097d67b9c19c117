#!/bin/bash
# promtool, Prometheus' own checker, on what ships: /metrics of the
# exporter on synthetic snapshots of a cgroup v1 and a v2 host (every
# family the exporter has), the alert rules (check rules), and the rules'
# own unit tests (test rules: each alert fires on what should fire it and
# not on unlimited or zero limits).  Needs no root.
. "$(dirname "$0")/lib-exp.sh"
need promtool "Debian: prometheus"
need curl "the HTTP client of this test"
exp_tdir
for mode in v1 v2; do
	"$MKSNAP" "$TDIR/snapshot-$mode" 200 "$mode" || fail "mksnap"
	chmod 644 "$TDIR/snapshot-$mode"
	port=$(free_port)
	spawn "$TDIR/exporter-$mode.log" "$EXPORTER" -d -l "127.0.0.1:$port" \
	    -s "$TDIR/snapshot-$mode"
	wait_http 10 "http://127.0.0.1:$port/metrics" || fail "exporter ($mode)"
	curl -s "http://127.0.0.1:$port/metrics" > "$TDIR/metrics-$mode"
	out=$(promtool check metrics < "$TDIR/metrics-$mode" 2>&1) ||
	    fail "promtool check metrics ($mode): $out"
	[ -z "$out" ] || fail "promtool check metrics ($mode) reports: $out"
	pass "promtool check metrics: nothing to report ($mode, $(grep -c '^# TYPE' "$TDIR/metrics-$mode") families, $(grep -vc '^#' "$TDIR/metrics-$mode") samples)"
done
# labels from the snapshot with a backslash, a double quote and a newline
# (a container's name, a device) are escaped as the format requires
"$MKSNAP" "$TDIR/snapshot-quotes" 3 quotes || fail "mksnap quotes"
chmod 644 "$TDIR/snapshot-quotes"
port=$(free_port)
spawn "$TDIR/exporter-quotes.log" "$EXPORTER" -d -l "127.0.0.1:$port" \
    -s "$TDIR/snapshot-quotes"
wait_http 10 "http://127.0.0.1:$port/metrics" || fail "exporter (quotes)"
curl -s "http://127.0.0.1:$port/metrics" > "$TDIR/metrics-quotes"
grep -qF 'device="8:\"0\\"' "$TDIR/metrics-quotes" ||
    fail "device label not escaped: $(grep -m1 device= "$TDIR/metrics-quotes")"
out=$(promtool check metrics < "$TDIR/metrics-quotes" 2>&1) ||
    fail "promtool check metrics (quotes): $out"
[ -z "$out" ] || fail "promtool check metrics (quotes) reports: $out"
pass "promtool check metrics: labels with \\, \" and a newline escaped"
# every family the exporter has is in docs/exporters.md, by its full name
undoc=$(sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$TDIR/metrics-v2" | while read -r m; do
	grep -q "\`$m\`" "$SRC/docs/exporters.md" || echo "$m"; done)
[ -z "$undoc" ] || fail "not in docs/exporters.md: $undoc"
pass "every metric family is documented in docs/exporters.md"
out=$(promtool check rules "$RULES" 2>&1) || fail "promtool check rules: $out"
note "$(echo "$out" | tail -n 1)"
pass "promtool check rules accepts exporters/prometheus/accountd.rules.yml"
cp "$RULES" "$SRC/exporters/prometheus/accountd.rules.test.yml" "$TDIR/"
out=$(cd "$TDIR" && promtool test rules accountd.rules.test.yml 2>&1) ||
    fail "promtool test rules: $out"
pass "promtool test rules: every alert fires where it should and only there"
# the fleet's recording and alert rules (docs/fleet.md)
fleet=$SRC/exporters/prometheus/accountd-fleet.rules.yml
out=$(promtool check rules "$fleet" 2>&1) || fail "promtool check rules (fleet): $out"
note "$(echo "$out" | tail -n 1)"
cp "$fleet" "$SRC/exporters/prometheus/accountd-fleet.rules.test.yml" "$TDIR/"
out=$(cd "$TDIR" && promtool test rules accountd-fleet.rules.test.yml 2>&1) ||
    fail "promtool test rules (fleet): $out"
pass "promtool: the fleet rules, every recorded figure and alert as worked out by hand"
