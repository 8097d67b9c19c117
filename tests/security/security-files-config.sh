#!/bin/bash
# Defect 4 of issue 14: root opened files a client named.  `acctctl
# create --config FIFO` blocked the whole daemon, a FIFO named X.conf in
# ct_conf_dir blocked it on SIGHUP, an operator got a root-only file's
# lines copied into a 0644 CTID.conf, a directory read as an empty
# config and text after a NUL byte was dropped.  Now acctctl reads the
# file as its user and sends the text; accountd reads only its own
# files, never blocking, regular files only, and a NUL is an error
# naming file and line.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib-secfiles.sh"
require_cgroups
require_operator
start_daemon -o socket_group="$OP_GROUP"

# A daemon stuck opening a FIFO would also hang the cleanup's stop:
# open the FIFOs for writing (which frees it) before failing.
fail_unblock() {
	for f in "$TDIR/fifo" "$TDIR/ct/p1.conf"; do
		[ -p "$f" ] && { timeout 2 sh -c "echo > '$f'" & }
	done
	sleep 0.5
	fail "$@"
}
alive() {	# the daemon still answers, at once
	timeout 5 "$ACCTCTL" list > /dev/null || fail_unblock "accountd stopped answering ($1)"
}
one_line() {	# OUTPUT WHAT: a one-line message naming WHAT
	[ "$(printf '%s\n' "$1" | wc -l)" = 1 ] || fail "not one line: $1"
	printf '%s\n' "$1" | grep -q -- "$2" || fail "message does not say '$2': $1"
}

# --config FIFO: refused by acctctl at once, the daemon never sees a path
mkfifo "$TDIR/fifo"
out=$(timeout 5 "$ACCTCTL" create f1 --config "$TDIR/fifo" 2>&1); rc=$?
[ $rc = 124 ] && fail_unblock "acctctl create --config FIFO hung"
[ $rc = 2 ] || fail "create --config FIFO: exit $rc ($out)"
one_line "$out" "FIFO"
alive "after --config FIFO"
[ ! -e "$TDIR/ct/f1.conf" ] || fail "f1 was created from a FIFO"
pass "--config FIFO: one-line error, nothing blocks"

# a request naming a path for the daemon is refused, whoever sends it
out=$(raw_req "$ACCTCTL_SOCKET" \
    '{"cmd":"create","ct":"f1","config":"'"$TDIR/fifo"'"}') ||
    fail "raw create with a path: no reply ($out)"
echo "$out" | grep -q '"ok": *false' || fail "a path in a request was accepted: $out"
echo "$out" | grep -q 'config_text' || fail "refusal does not say what is accepted: $out"
alive "after a raw config path"
pass "a request with a path for accountd to read is refused"

# a root-only file: the operator cannot make accountd read it
printf 'PHYSPAGES="0:64M"\n# SECRET-LINE-4711\n' > "$TDIR/secret.conf"
chmod 0600 "$TDIR/secret.conf"
out=$(as_op timeout 5 "$ACCTCTL" create f2 --config "$TDIR/secret.conf" 2>&1) &&
    fail "the operator imported a root-only file: $out"
one_line "$out" "Permission denied"
as_op "$SECTOOL" req "$ACCTCTL_SOCKET" \
    '{"cmd":"create","ct":"f2","config":"'"$TDIR/secret.conf"'"}' > /dev/null
! grep -rq SECRET-LINE "$TDIR/ct" 2> /dev/null || fail "a root-only file's lines reached ct_conf_dir"
[ ! -e "$TDIR/ct/f2.conf" ] || fail "f2 was created"
# what the operator can read is sent as text and imported
printf 'PHYSPAGES="0:64M"\n# operator comment\n' > "$TDIR/mine.conf"
chmod 0644 "$TDIR/mine.conf"
as_op timeout 5 "$ACCTCTL" create f3 --config "$TDIR/mine.conf" || fail "operator import of a readable file"
grep -q '^# operator comment' "$TDIR/ct/f3.conf" || fail "imported text not kept"
[ "$(mem_limit "$(ctcg f3)")" = $((64 << 20)) ] || fail "imported ram not applied"
pass "an operator's --config is read as the operator; root-only files stay closed"

# a directory and a NUL byte: one-line errors
mkdir "$TDIR/adir"
out=$(timeout 5 "$ACCTCTL" create f4 --config "$TDIR/adir" 2>&1) && fail "a directory imported"
one_line "$out" "directory"
printf 'PHYSPAGES="0:64M"\nCPUUNITS="1000"\0NUMPROC="20"\n' > "$TDIR/nul.conf"
out=$(timeout 5 "$ACCTCTL" create f5 --config "$TDIR/nul.conf" 2>&1) && fail "a NUL byte imported"
one_line "$out" "nul.conf:2: a NUL byte"
# over the socket too (JSON can carry \u0000)
out=$(raw_req "$ACCTCTL_SOCKET" \
    '{"cmd":"create","ct":"f5","config_name":"x.conf","config_text":"A=1\nB=2\u0000C=3"}')
echo "$out" | grep -q 'x.conf:2: a NUL byte' || fail "NUL in config_text: $out"
[ ! -e "$TDIR/ct/f4.conf" ] && [ ! -e "$TDIR/ct/f5.conf" ] || fail "f4/f5 created"
pass "a directory and a NUL byte: one-line errors naming file (and line)"

# ct_conf_dir: a FIFO, a directory and a NUL byte named *.conf, then SIGHUP
mkfifo "$TDIR/ct/p1.conf"
mkdir "$TDIR/ct/d1.conf"
printf 'CPUUNITS="1000"\n\0NUMPROC="20"\n' > "$TDIR/ct/n1.conf"
kill -HUP "$DPID"
wait_for 5 grep -q 'configuration reloaded' "$TDIR/daemon.log" || fail "no reload"
alive "after SIGHUP with a FIFO in ct_conf_dir"
grep -q 'p1.conf: a FIFO' "$TDIR/daemon.log" || fail "FIFO not named in the log"
grep -q 'd1.conf: a directory' "$TDIR/daemon.log" || fail "directory not named in the log"
grep -q 'n1.conf:2: a NUL byte' "$TDIR/daemon.log" || fail "NUL not named in the log"
for c in p1 d1 n1; do
	"$ACCTCTL" list -a 2> /dev/null | grep -qw "$c" && fail "$c.conf made a container"
done
pass "ct_conf_dir: FIFO, directory and NUL refused with a log line, daemon answers"
