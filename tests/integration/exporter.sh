#!/bin/bash
# The metrics pipeline on this kernel, end to end: accountd with
# exporter = yes starts accountd-exporter as nobody; a container's
# refused forks (numproc) and its memory reach /metrics as
# accountd_beancounter_failcnt_total and held bytes, and its RRD archive
# is written.  Runs on both kernels (the exporter tests under
# tests/exporters cover formats, clients and scale on synthetic data).
. "$(dirname "$0")/lib.sh"
require_cgroups
EXPORTER=${ACCT_EXPORTER:-${ACCT_BIN:-.}/accountd-exporter}
[ -x "$EXPORTER" ] || skip "no accountd-exporter at $EXPORTER"
id nobody > /dev/null 2>&1 || skip "no user nobody to run the exporter as"
if command -v curl > /dev/null; then get() { curl -sf --max-time 5 "$1"; }
else	# the VM has no curl and its static busybox wget crashes: bash's /dev/tcp
	get() {	# http://HOST:PORT/PATH: the body of a 200 answer
		local hp=${1#http://} line
		local host=${hp%%/*}
		exec 3<> "/dev/tcp/${host%:*}/${host#*:}" || return 1
		printf 'GET /%s HTTP/1.0\r\nHost: %s\r\n\r\n' "${hp#*/}" "$host" >&3
		IFS= read -r -t 5 line <&3
		case $line in "HTTP/1."?" 200"*) ;; *) exec 3<&-; return 1 ;; esac
		while IFS= read -r -t 5 line <&3 && [ "${line%$'\r'}" ]; do :; done
		while IFS= read -r -t 5 line <&3; do printf '%s\n' "$line"; done
		exec 3<&-
	}
fi
prepare_tdir
chmod 755 "$TDIR"	# the exporter, as nobody, reaches its RRD folder in it
port=$(free_port)
start_daemon -o exporter=yes -o exporter_path="$EXPORTER" \
    -o http_listen="127.0.0.1:$port" -o rrd_dir="$TDIR/rrd" -o rrd_step=1
base=http://127.0.0.1:$port

actl create 410 --ram 64M --swap 0 --numproc 8 || fail "create"
wait_for 10 bash -c "$(declare -f get); get $base/metrics | grep -q 'accountd_container_running{container=\"410\"} 1'" ||
    fail "container 410 not in /metrics: $(get "$base/metrics" | head -5; tail -5 "$TDIR/daemon.log")"
pass "the exporter serves the daemon's container on 127.0.0.1:$port"

out=$(actl exec 410 -- "$HELPERS/forker" 20)
case $out in ok=7\ failed=13*) ;; *) fail "forker: $out" ;; esac
metric() {	# RESOURCE: failcnt of container 410 in /metrics
	get "$base/metrics" | awk -v r="$1" '
	    $1 ~ /^accountd_beancounter_failcnt_total\{/ && $1 ~ "container=\"410\"" &&
	    $1 ~ "resource=\"" r "\"" { print $2 }'
}
wait_for 5 bash -c "$(declare -f get metric); base=$base; [ \"\$(metric numproc)\" -ge 13 ] 2> /dev/null" ||
    fail "numproc failcnt in /metrics: '$(metric numproc)', expected 13 or more"
pass "13 refused forks: accountd_beancounter_failcnt_total{resource=numproc} $(metric numproc)"

# held for 2 s: at least one sample (every second) sees it
actl exec 410 -- "$HELPERS/memhog" 32 2 > /dev/null || fail "memhog 32"
maxheld() {
	get "$base/metrics" | awk '$1 ~ /^accountd_beancounter_maxheld_bytes\{/ &&
	    $1 ~ "container=\"410\"" && $1 ~ /resource="physpages"/ { print $2 }'
}
wait_for 3 bash -c "$(declare -f get maxheld); base=$base; h=\$(maxheld); [ \"\${h%.*}\" -ge $((30 << 20)) ]" ||
    fail "physpages maxheld_bytes '$(maxheld)', expected 32M"
held=$(maxheld)
pass "physpages maxheld after 32 MiB: $held bytes"

wait_for 10 test -s "$TDIR/rrd/410.rrd" || fail "no RRD archive $TDIR/rrd/410.rrd"
[ "$(stat -c %U "$TDIR/rrd/410.rrd")" = nobody ] || fail "archive owned by $(stat -c %U "$TDIR/rrd/410.rrd")"
pass "the RRD archive of 410 is written by the exporter (as nobody)"
