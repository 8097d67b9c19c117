#!/bin/bash
# RRD archives and graphs: the exporter (started by accountd, as nobody)
# keeps an archive per container; a memory hog and refused forks show in
# it (read back with rrdtool fetch), an OOM kill marks the RAM graph (on
# v1 too, where memory.failcnt stays 0); acctctl graph draws PNGs of it, and
# the exporter serves the same graph; bad requests get clear errors.
# Then through rrdcached: updates reach the daemon (not the file), and
# acctctl graph flushes them first.
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
need rrdtool "Debian: rrdtool"
need curl "the HTTP client of this test"
port=$(free_port)
start_exp_daemon "$port" -o rrd_step=1
actl create 501 --ram 64M --numproc 10 > /dev/null || fail "create"
# fails are a rate in the archive (DERIVE): let it have a first value
wait_for 10 test -f "$TDIR/rrd/501.rrd" || fail "no archive for 501"
sleep 2
bg_in 501 "$HELPERS/memhog" 40 4
actl exec 501 -- "$HELPERS/forker" 20 > /dev/null
wait "$BGPID"
actl exec 501 -- "$HELPERS/memhog" 100 > /dev/null 2>&1	# OOM-killed at 64M
sleep 3
rrd=$TDIR/rrd/501.rrd
[ -f "$rrd" ] || fail "no archive $rrd"
[ "$(stat -c %U "$rrd")" = nobody ] || fail "archive owned by $(stat -c %U "$rrd")"
step=$(rrdtool info "$rrd" | awk -F' = ' '$1 == "step" { print $2 }')
[ "$step" = 1 ] || fail "step $step"
note "archive: $(stat -c %s "$rrd") bytes, $(rrdtool info "$rrd" | grep -c '^ds\[.*\]\.type') data sources, $(rrdtool info "$rrd" | grep -c '^rra\[.*\]\.cf') RRAs"
# the most RAM held in the last minute, the numproc limit, the fails
peak=$(rrdtool fetch "$rrd" AVERAGE -s -60 | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i + 1; next }
    NF > 2 && $col["ram"] != "-nan" && $col["ram"] + 0 > m { m = $col["ram"] + 0 } END { printf "%d", m }')
lim=$(rrdtool fetch "$rrd" AVERAGE -s -10 | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i + 1; next }
    NF > 2 && $col["nproc_lim"] != "-nan" { v = $col["nproc_lim"] + 0 } END { printf "%d", v }')
fails=$(rrdtool fetch "$rrd" MAX -s -60 | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i + 1; next }
    NF > 2 && $col["nproc_fail"] != "-nan" && $col["nproc_fail"] + 0 > 0 { n++ } END { print n + 0 }')
[ "$peak" -ge $((30 << 20)) ] || fail "RAM in the archive peaks at $peak bytes, memhog held 40M"
[ "$lim" = 10 ] || fail "numproc limit in the archive: $lim"
[ "$fails" -ge 1 ] || fail "no numproc fails in the archive"
ramfails=$(rrdtool fetch "$rrd" MAX -s -60 | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i + 1; next }
    NF > 2 && $col["ram_fail"] != "-nan" && $col["ram_fail"] + 0 > 0 { n++ } END { print n + 0 }')
[ "$ramfails" -ge 1 ] || fail "the OOM kill left no mark in ram_fail"
pass "archive holds the workload: RAM up to $((peak >> 20))M, numproc limit $lim, fails in $fails steps, the OOM kill in $ramfails"

for r in physpages numproc cpu io swappages; do
	actl graph 501 -r "$r" -p 1h -o "$TDIR/g-$r.png" --rrd-dir "$TDIR/rrd" || fail "graph $r"
	is_png "$TDIR/g-$r.png" || fail "$r: not a PNG"
	read -r w h < <(png_size "$TDIR/g-$r.png")
	[ "$w" -ge 600 ] && [ "$h" -ge 200 ] || fail "$r: ${w}x$h"
	# judged by what they show: more than a frame on one background
	read -r ncol top _ < <(png_pixels "$TDIR/g-$r.png")
	[ "${ncol:-0}" -ge 8 ] && [ "${top:-100}" -lt 95 ] ||
	    fail "$r: ${ncol:-?} colours, the commonest ${top:-?}% of the pixels: looks blank"
	note "$r: ${w}x$h, $ncol colours, the commonest $top% of the pixels"
done
pass "acctctl graph: PNGs of physpages, numproc, cpu, io, swappages (${w}x$h), each with content"
out=$(actl graph 501 -r kmemsize -p 1h -o "$TDIR/nodir.png" 2>&1) || fail "graph without --rrd-dir: $out"
is_png "$TDIR/nodir.png" || fail "without --rrd-dir: not a PNG"
pass "acctctl graph without --rrd-dir finds the daemon's rrd_dir ($TDIR/rrd)"
actl graph 501 -p 1d -o - --rrd-dir "$TDIR/rrd" > "$TDIR/stdout.png" && is_png "$TDIR/stdout.png" ||
    fail "-o - did not write a PNG"
code=$(http_code "http://127.0.0.1:$port/graph?ct=501&resource=numproc&period=1h")
[ "$code" = 200 ] || fail "exporter /graph: $code"
curl -s -o "$TDIR/http.png" "http://127.0.0.1:$port/graph?ct=501&resource=numproc&period=1h"
is_png "$TDIR/http.png" || fail "exporter /graph not a PNG"
pass "the exporter serves the graph too"

out=$(actl graph 599 -o "$TDIR/x.png" --rrd-dir "$TDIR/rrd" 2>&1); rc=$?
[ $rc = 3 ] || fail "unknown container: exit $rc ($out)"
out2=$(actl graph 501 -p 2d -o "$TDIR/x.png" --rrd-dir "$TDIR/rrd" 2>&1); rc2=$?
[ $rc2 = 2 ] || fail "bad period: exit $rc2"
out3=$(actl graph 501 -r bogus -o "$TDIR/x.png" --rrd-dir "$TDIR/rrd" 2>&1); rc3=$?
[ $rc3 = 2 ] || fail "bad resource: exit $rc3"
out4=$(actl graph 501 --rrd-dir "$TDIR/rrd" 2>&1); rc4=$?
[ $rc4 = 2 ] || fail "no -o: exit $rc4"
[ "$(http_code "http://127.0.0.1:$port/graph?ct=599")" = 404 ] || fail "exporter: unknown container"
pass "errors: $out ($rc) | $out2 ($rc2) | ${out3%%$'\n'*} ($rc3) | ${out4%%$'\n'*} ($rc4)"

# --- through rrdcached ---------------------------------------------------------
need rrdcached "Debian: rrdcached"
sock=$TDIR/rrdcached.sock
mkdir -p "$TDIR/journal"
spawn "$TDIR/rrdcached.log" rrdcached -g -o "$TDIR/rrdcached.out" -m 0666 -l "unix:$sock" -w 3600 -z 1 \
    -p "$TDIR/rrdcached.pid" -j "$TDIR/journal"
wait_for 5 test -S "$sock" || fail "rrdcached did not start"
stop_daemon
before=$(rrdtool last "$rrd")
start_exp_daemon "$port" -o rrd_step=1 -o rrdcached="unix:$sock"
sleep 4
disk=$(rrdtool last "$rrd")
cached=$(rrdtool last --daemon "unix:$sock" "$rrd")
[ "$cached" -gt "$before" ] || fail "rrdcached has no newer update ($before -> $cached)"
[ "$disk" -lt "$cached" ] || fail "the file was written directly ($disk), not through rrdcached"

pass "updates go through rrdcached: it has $cached, the file still $disk"
actl graph 501 -r numproc -p 1h -o "$TDIR/cached.png" --rrd-dir "$TDIR/rrd" \
    --rrdcached "unix:$sock" || fail "graph through rrdcached"
is_png "$TDIR/cached.png" || fail "not a PNG"
disk2=$(rrdtool last "$rrd")
[ "$disk2" -ge "$cached" ] || fail "graph did not flush ($disk2 < $cached)"
pass "acctctl graph --rrdcached flushed the archive first ($disk -> $disk2)"
sleep 2
cached2=$(rrdtool last --daemon "unix:$sock" "$rrd")
actl graph 501 -r numproc -p 1h -o "$TDIR/cached2.png" || fail "graph with the daemon's rrdcached"
disk3=$(rrdtool last "$rrd")
[ "$disk3" -ge "$cached2" ] || fail "graph did not flush through the daemon's rrdcached ($disk3 < $cached2)"
pass "without --rrd-dir and --rrdcached: the daemon's, flushed first ($disk2 -> $disk3)"
