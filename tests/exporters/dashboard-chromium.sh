#!/bin/bash
# The dashboard in a real browser: headless Chromium (Debian's package,
# a fresh profile, no network beyond loopback) loads the page from a
# private accountd's exporter; the DOM it built shows the test's
# containers, the failcnt highlighted, the capacity cards; screenshots of
# the page and of one container's page (with its RRD graphs) are PNGs of
# the window's size with real content.  ACCT_KEEP_SHOTS=DIR keeps them.
. "$(dirname "$0")/lib-exp.sh"
require_cgroups
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
[ -n "$CHROMIUM" ] || skip "chromium is not installed (Debian: chromium)"
need curl "the HTTP client of this test"
port=$(free_port)
start_exp_daemon "$port" -o rrd_step=1
base=http://127.0.0.1:$port
actl create 901 --ram 128M > /dev/null || fail "create 901"
actl create 902 --numproc 5 > /dev/null || fail "create 902"
actl create 903 --ram 64M --cpulimit 50 > /dev/null || fail "create 903"
wait_for 10 test -f "$TDIR/rrd/901.rrd" || fail "no archive for 901"
bg_in 901 "$HELPERS/memhog" 60 30
actl exec 902 -- "$HELPERS/forker" 10 > /dev/null
bg_in 903 "$HELPERS/cpuburn" 30
sleep 6

browse() {	# OUT-FLAG URL: one headless Chromium run, its own new profile
	local prof
	prof=$(mktemp -d "$TDIR/profile.XXXXXX")
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir="$prof" --window-size=1280,800 "$1" "$2" \
	    2>> "$TDIR/chromium.log"
}
browse --dump-dom "$base/" > "$TDIR/dom.html" || fail "chromium --dump-dom failed: $(tail -3 "$TDIR/chromium.log")"
dom=$TDIR/dom.html
grep -q '<html lang="en"><head><meta charset="utf-8">' "$dom" || fail "the document did not parse as written: $(head -c 200 "$dom")"
for ct in 901 902 903; do
	grep -q "<tr class=\"ct\" id=\"ct-$ct\">" "$dom" || fail "no row for $ct"
done
grep -o '<tr class="ct" id="ct-902">.*' "$dom" | head -n 1 | grep -q 'class="num fail" title="numproc: [0-9]*">[0-9]' ||
    fail "902's failcnt is not highlighted"
grep -o '<tr class="ct" id="ct-901">.*' "$dom" | head -n 1 | grep -Eq 'style="width:(4[0-9]|5[0-9])\.[0-9]%"' ||
    fail "901's RAM bar is not about 60M of 128M"
for card in cap-RAM cap-Swap cap-CPU cap-containers; do
	grep -q "id=\"$card\"" "$dom" || fail "no $card card"
done
pass "Chromium's DOM: rows 901 902 903, 902's failcnt highlighted, 901's RAM bar near half, capacity cards"

browse --screenshot="$TDIR/page.png" "$base/" > /dev/null || fail "screenshot"
browse --screenshot="$TDIR/ct.png" "$base/?ct=901&period=1h" > /dev/null || fail "screenshot of 901"
for s in page ct; do
	f=$TDIR/$s.png
	is_png "$f" || fail "$s: not a PNG"
	read -r w h < <(png_size "$f")
	[ "$w" = 1280 ] && [ "$h" = 800 ] || fail "$s: ${w}x$h, expected 1280x800"
	# judged by what it shows, decoded: a page, not one background
	read -r colors top _ < <(png_pixels "$f")
	[ "${colors:-0}" -gt 20 ] && [ "${top:-100}" -lt 98 ] ||
	    fail "$s: ${colors:-?} colours, the commonest ${top:-?}% of the pixels: looks blank"
	note "$s.png: ${w}x$h, $colors colours, the commonest $top% of the pixels"
done
curl -s -o "$TDIR/g.png" "$base/graph?ct=901&resource=physpages&period=1h"
is_png "$TDIR/g.png" || fail "the page's graph is not a PNG"
browse --dump-dom "$base/?ct=901&period=1h" > "$TDIR/ct.html"
grep -q 'src="/graph?ct=901&amp;resource=physpages&amp;period=1h"' "$TDIR/ct.html" || fail "no graph on 901's page"
pass "screenshots of the page and of 901's page with its graphs: 1280x800 with content"
if [ -n "${ACCT_KEEP_SHOTS:-}" ]; then
	mkdir -p "$ACCT_KEEP_SHOTS" && cp "$TDIR/page.png" "$TDIR/ct.png" "$TDIR/g.png" "$ACCT_KEEP_SHOTS/"
fi
