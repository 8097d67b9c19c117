# shellcheck shell=bash
# Shared code of the exporters' tests (sourced), on top of the integration
# tests' lib.sh: a test folder the unprivileged exporter can read, free
# loopback ports, HTTP waits, and cleanup of the extra processes a test
# starts (Prometheus, Alertmanager, pmcd, rrdcached, a second accountd),
# each by its pid.
#
# Protocol: exit 0 pass, 77 skip (after a "SKIP: reason" line), else fail.

. "$(dirname "$0")/../integration/lib.sh"

BUILD=${ACCT_BUILDDIR:-$(cd "$(dirname "$ACCOUNTD")/.." 2>/dev/null && pwd)}
SRC=${ACCT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
EXPORTER=${EXPORTER:-$BUILD/exporters/accountd-exporter}
PMDA=${PMDA:-$BUILD/exporters/pcp/pmdaaccountd}
MKSNAP=${MKSNAP:-$BUILD/tests/exporters/mksnap}
RULES=$SRC/exporters/prometheus/accountd.rules.yml
EXTRA_PIDS=()
EXTRA_PARENTS=()
# under --enable-sanitizers: librrd's graphs keep caches for good (full
# stacks, so that the suppressions can see librrd under glibc's vasprintf)
export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$SRC/tests/exporters/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

need() {	# PROGRAM WHY
	command -v "$1" > /dev/null 2>&1 || skip "$1 is not installed ($2)"
}

# The test folder, made before the daemon starts: mode 0755, because the
# exporter (user nobody) and the PMDA (user pcp) read the snapshot in it.
exp_tdir() {
	if [ -z "$TDIR" ]; then
		TDIR=$(mktemp -d "${TMPDIR:-/tmp}/acctd-$T_NAME.XXXXXX")
		chmod 755 "$TDIR"
		PARENT="acctd-test-$$-$T_NAME"
		trap exp_cleanup EXIT
	fi
}

# A TCP port nothing listens on, on loopback.
http_code() {	# URL [curl options]: the status code, 000 if none
	local url=$1; shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url"
}

wait_http() {	# SECONDS URL: until it answers 200
	local n=$(( $1 * 10 ))
	for _ in $(seq 1 "$n"); do
		[ "$(http_code "$2")" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

# Start a program in the background and remember its pid for cleanup.
spawn() {	# LOGFILE COMMAND...
	local log=$1; shift
	"$@" > "$log" 2>&1 &
	EXTRA_PIDS+=("$!")
	SPAWNED=$!
}

# The private accountd of lib.sh with its exporter on 127.0.0.1:PORT.
start_exp_daemon() {	# PORT [accountd -o options...]
	local port=$1; shift
	exp_tdir
	start_daemon -o exporter=yes -o http_listen="127.0.0.1:$port" \
	    -o exporter_path="$EXPORTER" -o rrd_dir="$TDIR/rrd" "$@"
	wait_http 10 "http://127.0.0.1:$port/metrics" ||
	    fail "the exporter does not answer on 127.0.0.1:$port"
}

# The exporter child of accountd pid $1.
exporter_pid() {
	pgrep -P "$1" -f accountd-exporter | head -n 1
}

# A second private accountd (fleet test): its own folders and cgroup
# parent; sets DPID2 and SOCK2.
start_second_daemon() {	# NAME [accountd -o options...]
	local name=$1; shift
	local d=$TDIR/$name
	mkdir -p "$d"
	EXTRA_PARENTS+=("$PARENT-$name")
	"$ACCOUNTD" -d -o run_dir="$d/run" -o state_dir="$d/state" \
	    -o ct_conf_dir="$d/ct" -o cgroup_parent="$PARENT-$name" \
	    -o rescan_interval=1 "$@" >> "$d/daemon.log" 2>&1 &
	DPID2=$!
	EXTRA_PIDS+=("$DPID2")
	SOCK2=$d/run/accountd.sock
	for _ in $(seq 1 100); do
		[ -S "$SOCK2" ] && ACCTCTL_SOCKET=$SOCK2 actl status > /dev/null 2>&1 &&
		    return 0
		kill -0 "$DPID2" 2> /dev/null || fail "second accountd exited"
		sleep 0.05
	done
	fail "second accountd did not come up"
}

exp_cleanup() {
	local rc=$?
	# TERM first (accountd stops its exporter, pmcd its agents), then KILL
	for p in "${EXTRA_PIDS[@]}"; do kill -TERM "$p" 2> /dev/null; done
	for p in "${EXTRA_PIDS[@]}"; do
		for _ in $(seq 1 40); do
			kill -0 "$p" 2> /dev/null || break
			sleep 0.05
		done
		kill -KILL "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	for par in "${EXTRA_PARENTS[@]}"; do
		for d in $(find "$CGROUP_ROOT" -maxdepth 2 -type d -name "$par" 2> /dev/null); do
			find "$d" -name cgroup.procs -exec cat {} + 2> /dev/null |
			    while read -r p; do kill -KILL "$p" 2> /dev/null; done
		done
		sleep 0.1
		for d in $(find "$CGROUP_ROOT" -maxdepth 2 -type d -name "$par" 2> /dev/null); do
			find "$d" -depth -type d -exec rmdir {} + 2> /dev/null
		done
	done
	(exit "$rc")
	cleanup
}

# A PNG's width and height from its IHDR chunk.
png_size() {	# FILE: prints "W H"
	local hex
	hex=$(od -An -tx1 -j16 -N8 "$1" | tr -d ' \n')
	echo "$(( 16#${hex:0:8} )) $(( 16#${hex:8:8} ))"
}

is_png() {	# FILE
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ]
}

# What a PNG shows, decoded (8-bit grey, RGB, palette, grey+alpha, RGBA;
# the five row filters undone): "COLOURS TOP_SHARE_PERCENT N" where N is
# the number of pixels of colour RRGGBB (0 without one).  A blank or
# one-colour image has 1 colour and a top share of 100.
png_pixels() {	# FILE [RRGGBB]
	if ! command -v python3 > /dev/null; then
		echo "no python3 to decode $1 (scripts/deps.sh installs it)" >&2
		echo "0 100 0"	# judged blank: not a pass
		return 1
	fi
	python3 - "$1" "${2:-}" <<'PY'
import collections, struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
i, idat, plte = 8, b'', None
while i < len(d):
    n, t = struct.unpack('>I4s', d[i:i + 8])
    body = d[i + 8:i + 8 + n]
    if t == b'IHDR':
        w, h, bd, ct, _, _, lace = struct.unpack('>IIBBBBB', body)
    elif t == b'PLTE':
        plte = body
    elif t == b'IDAT':
        idat += body
    i += 12 + n
if bd != 8 or lace != 0:
    sys.exit('png_pixels: only 8-bit, non-interlaced images')
bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ct]
raw, stride = zlib.decompress(idat), w * bpp
prev, rows = bytearray(stride), []
for r in range(h):
    f, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
def rgb(px):
    if ct == 3: return plte[px[0] * 3:px[0] * 3 + 3]
    if ct in (0, 4): return bytes([px[0]] * 3)
    return px[:3]
count = collections.Counter(rgb(row[x:x + bpp]) for row in rows
                            for x in range(0, stride, bpp))
want = bytes.fromhex(sys.argv[2]) if sys.argv[2] else None
print(len(count), count.most_common(1)[0][1] * 100 // (w * h),
      count.get(want, 0) if want else 0)
PY
}
