#!/bin/bash
# Defect 9 of issue 14, the files root writes: `set --save` turned a
# 0600 CTID.conf into 0644, meminfo files were written through symbolic
# links, an existing non-empty rrd_dir was given to nobody and a 1777
# folder lost its sticky bit, and `notify_user = root` was accepted.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib-secfiles.sh"
require_cgroups
require_operator	# nobody exists; TDIR 0711

# ---- set --save keeps the file's mode and owner; new files are 0644
mkdir -p "$TDIR/mi"
printf 'VICTIM\n' > "$TDIR/victim"
ln -s "$TDIR/victim" "$TDIR/mi/m1"
touch "$TDIR/mi/m2"; chown "$OP_USER" "$TDIR/mi/m2"
start_daemon -o meminfo_dir="$TDIR/mi"
actl create s1 --cpuunits 500 || fail "create s1"
[ "$(stat -c %a "$TDIR/ct/s1.conf")" = 644 ] || fail "a new CTID.conf is $(stat -c %a "$TDIR/ct/s1.conf")"
chmod 0600 "$TDIR/ct/s1.conf"
chown 1234:2345 "$TDIR/ct/s1.conf"
actl set s1 --cpuunits 700 --save || fail "set --save"
grep -q '^CPUUNITS="700"' "$TDIR/ct/s1.conf" || fail "not saved"
[ "$(stat -c '%a %u %g' "$TDIR/ct/s1.conf")" = "600 1234 2345" ] ||
    fail "set --save changed the file to $(stat -c '%a %u %g' "$TDIR/ct/s1.conf")"
pass "set --save keeps a 0600 CTID.conf's mode and owner"

# a CTID.conf linked into a private area (Virtuozzo): one link is
# followed, a target that is a link again is neither read nor written
mkdir "$TDIR/priv"
printf 'CPUUNITS="600"\n' > "$TDIR/priv/ve.conf"
ln -s "$TDIR/priv/ve.conf" "$TDIR/ct/v1.conf"
kill -HUP "$DPID"
wait_for 5 sh -c "'$ACCTCTL' list -a -H -o ctid | grep -qx v1" || fail "linked v1.conf not loaded"
actl set v1 --cpuunits 650 --save || fail "set --save of a linked file"
[ -L "$TDIR/ct/v1.conf" ] && grep -q '^CPUUNITS="650"' "$TDIR/priv/ve.conf" ||
    fail "the link was not kept, or its target not rewritten"
printf 'SECRET-VICTIM\n' > "$TDIR/victim2"
rm "$TDIR/priv/ve.conf"; ln -s "$TDIR/victim2" "$TDIR/priv/ve.conf"
out=$(actl set v1 --cpuunits 700 --save 2>&1) && fail "saved through a second link: $out"
echo "$out" | grep -q "symbolic link" || fail "refusal does not say why: $out"
[ "$(cat "$TDIR/victim2")" = SECRET-VICTIM ] && [ -L "$TDIR/priv/ve.conf" ] ||
    fail "the second link's target was written"
pass "a linked CTID.conf: one link followed, a link to a link refused"

# ---- meminfo: never through a link, never into someone else's file
actl create m1 --ram 64M || fail "create m1"
actl create m2 --ram 64M || fail "create m2"
actl create m3 --ram 64M || fail "create m3"
wait_for 10 grep -q '^MemTotal: *65536 kB' "$TDIR/mi/m3" 2> /dev/null ||
    fail "meminfo of m3 not written: $(ls -l "$TDIR/mi")"
sleep 1.5	# more rounds
[ "$(cat "$TDIR/victim")" = VICTIM ] || fail "meminfo written through a symbolic link: $(head -2 "$TDIR/victim")"
[ -L "$TDIR/mi/m1" ] || fail "the link was replaced"
[ ! -s "$TDIR/mi/m2" ] || fail "meminfo written into another user's file"
grep -q "mi/m[12]: not written" "$TDIR/daemon.log" || fail "the refusal is not logged"
pass "meminfo files: links and others' files refused, accountd's own written"
stop_daemon

# ---- rrd_dir: only a folder accountd makes is given to the exporter
EXPORTER=${ACCT_EXPORTER:-${ACCT_BIN:-.}/accountd-exporter}
if [ -x "$EXPORTER" ]; then
	chmod 755 "$TDIR"
	mkdir -m 0755 "$TDIR/rrd-full"; echo keep > "$TDIR/rrd-full/f"
	mkdir "$TDIR/rrd-sticky"; chmod 1777 "$TDIR/rrd-sticky"
	for d in rrd-full rrd-sticky rrd-new; do
		before=$(stat -c '%a %U' "$TDIR/$d" 2> /dev/null)
		start_daemon -o exporter=yes -o exporter_path="$EXPORTER" \
		    -o http_listen="127.0.0.1:$(free_port)" -o rrd_dir="$TDIR/$d"
		wait_for 5 grep -q "exporter pid" "$TDIR/daemon.log" || fail "no exporter"
		after=$(stat -c '%a %U' "$TDIR/$d")
		stop_daemon
		if [ "$d" = rrd-new ]; then
			[ "$after" = "755 $OP_USER" ] || fail "a new rrd_dir is $after"
		else
			[ "$after" = "$before" ] || fail "existing $d changed from $before to $after"
		fi
	done
	[ "$(cat "$TDIR/rrd-full/f")" = keep ] || fail "a file in rrd_dir changed"
	grep -q "rrd-full exists and is uid 0's" "$TDIR/daemon.log" || fail "no warning for rrd-full"
	pass "rrd_dir: an existing folder keeps mode (1777 too) and owner; a new one is the exporter's"
else
	note "no accountd-exporter at $EXPORTER: rrd_dir part not run"
fi

# ---- run_dir, state_dir, ct_conf_dir: existing folders are used as
# they are, never chmod'ed; one others may write to is named in a warning
mkdir -p "$TDIR/state"; chmod 1777 "$TDIR/state"
start_daemon
[ "$(stat -c %a "$TDIR/state")" = 1777 ] || fail "state_dir's mode changed"
grep -q "state is writable by every user (mode 1777)" "$TDIR/daemon.log" ||
    fail "no warning for a 1777 state_dir"
stop_daemon
pass "an existing state_dir keeps its mode (1777 too), with a warning"

# ---- notify_user = root is refused
out=$("$ACCOUNTD" -n -o alertmanager_url=http://127.0.0.1:9/api/v2/alerts \
    -o notify_user=root 2>&1) && fail "notify_user=root accepted"
[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "never runs as root" ||
    fail "notify_user=root: $out"
pass "notify_user = root is refused with a one-line error"
