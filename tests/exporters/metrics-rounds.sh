#!/bin/bash
# /metrics across rounds (exporters/mcache.c: pieces kept, only what
# changed made again) and metrics_detail, through the exporter with real
# clients (curl, gzip; promtool where it is installed):
#   - a snapshot republished every second where only ct00007 changes among
#     300 containers, and ct00299 is gone from the third round: each new
#     round's scrape has ct00007's new CPU time, every other container's
#     samples as before, and no ct00299;
#   - in every round the gzip and identity bodies decode to the same text,
#     in both formats;
#   - -D basic: at most 1.5 KB per container, only families documented as
#     basic in docs/exporters.md (and every plain "basic" one), promtool
#     has nothing to report;
#   - a bad -D is refused with a message naming what is accepted;
#   - as root on a host with cgroups: accountd with metrics_detail = basic
#     starts its exporter with -D basic, which serves a container of its
#     at that level.
# Needs no root for the rest.
. "$(dirname "$0")/lib-exp.sh"
need curl "the HTTP client of this test"
need gzip "to decode the gzip bodies"
exp_tdir
om='Accept: application/openmetrics-text;version=1.0.0'

out=$("$EXPORTER" -d -D everything -l 127.0.0.1:1 -s /nonexistent 2>&1)
rc=$?
[ "$rc" = 2 ] && grep -q "bad metrics_detail 'everything' (accepted: basic, full)" <<< "$out" ||
    fail "-D everything: exit $rc, '$out'"
pass "a bad -D is refused: $out"

"$MKSNAP" "$TDIR/snap" 300 v2 14 one > "$TDIR/mksnap.log" 2>&1 &
EXTRA_PIDS+=("$!")
for _ in $(seq 50); do [ -s "$TDIR/snap" ] && break; sleep 0.1; done
chmod 644 "$TDIR/snap"
port=$(free_port)
spawn "$TDIR/exporter.log" "$EXPORTER" -d -v -l "127.0.0.1:$port" -s "$TDIR/snap"
wait_http 10 "http://127.0.0.1:$port/metrics" || fail "exporter"
url=http://127.0.0.1:$port/metrics

rounds_of() { awk '/^accountd_sampling_rounds_total / { print $2 }' "$1"; }
# microseconds of ct00007's CPU time
cpu7() {
	awk '/^accountd_container_cpu_usage_seconds_total\{container="ct00007"\}/ {
	    split($2, p, "."); f = substr(p[2] "000000", 1, 6); print p[1] f + 0 }' "$1"
}

# The four bodies of one round (identity and gzip, both formats); again
# when a round began between them.  Sets R to the round.
scrape_round() {	# PREFIX
	local p=$1 r1 r2 r3 r4
	for _ in $(seq 10); do
		curl -s -H "$om" "$url" > "$p.om"
		curl -s -H "$om" -H 'Accept-Encoding: gzip' "$url" | gzip -dc > "$p.omz" ||
		    fail "the OpenMetrics gzip body does not decode"
		curl -s "$url" > "$p.txt"
		curl -s -H 'Accept-Encoding: gzip' "$url" | gzip -dc > "$p.txtz" ||
		    fail "the text gzip body does not decode"
		r1=$(rounds_of "$p.om"); r2=$(rounds_of "$p.omz")
		r3=$(rounds_of "$p.txt"); r4=$(rounds_of "$p.txtz")
		if [ -n "$r1" ] && [ "$r1" = "$r2" ] && [ "$r2" = "$r3" ] && [ "$r3" = "$r4" ]; then
			R=$r1
			return 0
		fi
	done
	fail "could not get four bodies of one round"
}

# others: every sample of a container other than ct00007 and ct00299
others() { grep 'container="' "$1" | grep -v -e 'container="ct00007"' -e 'container="ct00299"' | sort; }

scrape_round "$TDIR/a"
ra=$R
seen=0 last=$ra
for _ in $(seq 60); do
	sleep 0.3
	scrape_round "$TDIR/b"
	[ "$R" = "$last" ] && continue
	last=$R
	for f in om txt; do
		cmp -s "$TDIR/b.$f" "$TDIR/b.${f}z" ||
		    fail "round $R: gzip and identity bodies differ ($f)"
	done
	want=$(( $(cpu7 "$TDIR/a.om") + (R - ra) * 250000 ))
	[ "$(cpu7 "$TDIR/b.om")" = "$want" ] ||
	    fail "round $R: ct00007's CPU time is $(cpu7 "$TDIR/b.om") us, not $want (round $ra: $(cpu7 "$TDIR/a.om"))"
	diff <(others "$TDIR/a.om") <(others "$TDIR/b.om") > "$TDIR/diff" ||
	    fail "round $R: other containers' samples changed: $(head -4 "$TDIR/diff")"
	if [ "$R" -ge 3 ]; then
		! grep -q 'container="ct00299"' "$TDIR/b.om" "$TDIR/b.txt" ||
		    fail "round $R: ct00299 is gone but still in /metrics"
	fi
	seen=$((seen + 1))
	[ "$seen" -ge 4 ] && [ "$R" -ge 4 ] && break
done
[ "$seen" -ge 4 ] || fail "saw $seen new rounds, not 4"
pass "$seen new rounds from round $ra: ct00007's change in each, the other 298 the same, ct00299 gone, gzip = identity in both formats"
grep -q 'container-family pairs rendered' "$TDIR/exporter.log" ||
    fail "the exporter did not log its rounds: $(tail -3 "$TDIR/exporter.log")"

# metrics_detail = basic
"$MKSNAP" "$TDIR/snap-static" 300 v2 || fail "mksnap"
chmod 644 "$TDIR/snap-static"
port=$(free_port)
spawn "$TDIR/exporter-basic.log" "$EXPORTER" -d -D basic -l "127.0.0.1:$port" \
    -s "$TDIR/snap-static"
wait_http 10 "http://127.0.0.1:$port/metrics" || fail "exporter -D basic"
curl -s "http://127.0.0.1:$port/metrics" > "$TDIR/basic.txt"
curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" | gzip -dc > "$TDIR/basic.txtz"
cmp -s "$TDIR/basic.txt" "$TDIR/basic.txtz" || fail "basic: gzip and identity differ"
per=$(( $(grep 'container="' "$TDIR/basic.txt" | wc -c) / 300 ))
[ "$per" -le 1536 ] || fail "basic: $per bytes per container (more than 1.5 KB)"
full=$(( $(grep 'container="' "$TDIR/a.txt" | wc -c) / 300 ))
docs=$SRC/docs/exporters.md
level() {	# FAMILY: the level cell of its row in docs/exporters.md
	grep -F "\`$1\`" "$docs" | grep '^| `accountd_' | head -1 | awk -F'|' '{ print $(NF - 1) }' | sed 's/^ *//'
}
for fam in $(awk '/^# TYPE / { print $3 }' "$TDIR/basic.txt"); do
	case $(level "$fam") in
	basic*) ;;
	*) fail "basic: $fam is served but its level in docs/exporters.md is '$(level "$fam")'" ;;
	esac
done
for fam in $(awk '/^# TYPE / { print $3 }' "$TDIR/a.txt"); do
	[ "$(level "$fam")" = basic ] || continue
	grep -q "^# TYPE $fam " "$TDIR/basic.txt" ||
	    fail "basic: $fam is documented as basic but not served"
done
pass "basic: $per bytes per container (full: $full), the families documented as basic"
if command -v promtool > /dev/null; then
	out=$(promtool check metrics < "$TDIR/basic.txt" 2>&1) ||
	    fail "promtool check metrics (basic): $out"
	[ -z "$out" ] || fail "promtool check metrics (basic) reports: $out"
	pass "promtool check metrics: nothing to report (basic)"
fi

if [ "$(id -u)" = 0 ] && { [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; }; then
	port=$(free_port)
	start_exp_daemon "$port" -o metrics_detail=basic
	actl create 801 --ram 64M > /dev/null || fail "create 801"
	epid=$(exporter_pid "$DPID")
	tr '\0' ' ' < "/proc/$epid/cmdline" | grep -q -- '-D basic' ||
	    fail "the exporter was not started with -D basic: $(tr '\0' ' ' < "/proc/$epid/cmdline")"
	wait_for 10 sh -c "curl -s http://127.0.0.1:$port/metrics | grep -q 'accountd_container_running{container=\"801\"} 1'" ||
	    fail "801 is not in /metrics"
	curl -s "http://127.0.0.1:$port/metrics" > "$TDIR/daemon-basic.txt"
	grep -q 'accountd_beancounter_held_bytes{container="801",resource="physpages"}' "$TDIR/daemon-basic.txt" ||
	    fail "basic: no physpages held for 801"
	! grep -q -e '^accountd_container_config_ram_bytes' -e 'resource="kmemsize"' "$TDIR/daemon-basic.txt" ||
	    fail "basic: full-only metrics served"
	pass "metrics_detail = basic in accountd.conf: its exporter runs with -D basic and serves 801 at that level"
fi
