#!/bin/bash
# The userspace disk quota (quota_fallback = userspace, docs/quota.md):
# for a tree on a filesystem without project quota.  (1) accountd's count
# agrees with du and find | wc -l within 1% on a tree of 100,000 files
# (10,000 in the VM, ACCT_QUOTA_FILES); (2) on a tmpfs of the test's own,
# once the container is at its limit, opens for writing in its tree are
# refused (EPERM) while reads go on, and raising the limit lets writes
# resume; (3) bad input is refused with one line and nothing changes.
. "$(dirname "$0")/lib.sh"
require_cgroups
Q=$HELPERS/qtool
[ -x "$Q" ] || fail "no qtool at $Q"
NFILES=${ACCT_QUOTA_FILES:-100000}
[ "${ACCT_IN_VM:-0}" = 1 ] && NFILES=${ACCT_QUOTA_FILES:-10000}
prepare_tdir
MNT=$TDIR/mnt
trap 'r=$?; stop_daemon; umount "$MNT" 2>/dev/null; (exit $r); cleanup' EXIT
chmod 755 "$TDIR"	# uid 2000 writes in it
printf '#!/bin/sh\necho "$ACCT_CT $ACCT_RESOURCE $ACCT_FAILCNT" >> %s/hook.out\n' \
    "$TDIR" > "$TDIR/hook.sh"
chmod 755 "$TDIR/hook.sh"
# quota_rescan 60: what is seen within seconds is seen through inotify
start_daemon -o quota_rescan=60 -o alert_hook="$TDIR/hook.sh"

within1() {	# A B: |A-B| <= 1% of B
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d;
	    exit !(d <= b / 100) }'
}
jget() {	# CT KEY (first match)
	actl -j quota "$1" | sed -n "s/^ *\"$2\": \([0-9.a-z]*\),*$/\1/p" | head -1
}

# ---- (1) agreement with du -------------------------------------------------
tree=$TDIR/tree
mkdir -p "$tree"
t0=$(date +%s.%N)
out=$("$Q" mkfiles "$tree" "$NFILES" 3000)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = 0 ] || fail "making $NFILES files: $out"
note "made $NFILES files in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
actl create u1 --private "$tree" --diskspace 100G:100G || fail "create u1"
mech=$(actl -j quota u1 | sed -n 's/.*"mechanism": "\(.*\)".*/\1/p')
case $mech in
userspace) ;;
project)
	# the tree's filesystem has project quota: the count is the kernel's
	# (quota-kernel.sh covers it); the tmpfs parts below run all the same
	note "part (1) left out: $TDIR is on a filesystem with project quota (quota-kernel.sh covers it)" ;;
*)	fail "acctctl quota u1 gives no mechanism (\"$mech\"): $(actl quota u1 2>&1)" ;;
esac
if [ "$mech" = userspace ]; then	# to the fi after part (1)
wait_for 120 sh -c "'$ACCTCTL' -j quota u1 | grep -q '\"counted\": true'" ||
    fail "first count not done: $(actl quota u1)"
secs=$(jget u1 scan_seconds)
check_du() {
	local blocks inodes apparent dub dun dua
	blocks=$(actl -j quota u1 | awk '/"blocks"/ { b = 1 } b && /"usage"/ { gsub(/[^0-9]/, ""); print; exit }')
	inodes=$(actl -j quota u1 | awk '/"inodes"/ { b = 1 } b && /"usage"/ { gsub(/[^0-9]/, ""); print; exit }')
	apparent=$(jget u1 apparent)
	dub=$(( $(du -sk "$tree" | cut -f1) * 1024 ))
	# busybox du has no --apparent-size: that comparison is then left out
	dua=$(du -sb --apparent-size "$tree" 2>/dev/null | cut -f1)
	[ -n "$dua" ] || dua=$apparent
	dun=$(find "$tree" | wc -l)
	note "accountd: $blocks B, $apparent B apparent, $inodes inodes; du: $dub B, $dua B apparent; find: $dun"
	within1 "$blocks" "$dub" || fail "blocks $blocks vs du $dub: more than 1% apart"
	within1 "$apparent" "$dua" || fail "apparent $apparent vs du --apparent-size $dua"
	within1 "$inodes" "$dun" || fail "inodes $inodes vs find | wc -l $dun"
}
check_du
pass "first count of $NFILES files in $secs s agrees with du, du --apparent-size and find | wc -l within 1%"
mkdir -p "$tree/more" && "$Q" mkfiles "$tree/more" 1000 5000 > /dev/null
sleep 1
wait_for 10 sh -c "[ \"\$('$ACCTCTL' -j quota u1 | awk '/\"inodes\"/ { b = 1 } b && /\"usage\"/ { gsub(/[^0-9]/, \"\"); print; exit }')\" -ge $(find "$tree" | wc -l) ]" ||
    fail "1000 files added are not counted"
seen=$(jget u1 scan_seconds)
check_du
pass "1000 files added: counted again within seconds (inotify; count took $seen s), still within 1%"
fi
actl destroy u1 > /dev/null 2>&1 || actl destroy u1 --force > /dev/null 2>&1
rm -rf "$tree"

# ---- (2) writes refused at the limit ---------------------------------------
mkdir -p "$MNT"
mount -t tmpfs -o size=64m,mode=0777 acctd-quota-test "$MNT" || skip "cannot mount a tmpfs"
CT=$MNT/ct	# the tree; the rest of the tmpfs is not the container's
mkdir -m 777 "$CT"
actl create u2 --private "$CT" --diskspace 1M:2M --quotatime 0 || fail "create u2"
mech=$(actl -j quota u2 | sed -n 's/.*"mechanism": "\(.*\)".*/\1/p')
[ "$mech" = userspace ] ||
    fail "a tree on tmpfs gets mechanism \"$mech\", not userspace: $(actl quota u2 2>&1)"
grep -q 'no fanotify permission events' "$TDIR/daemon.log" &&
    skip "this kernel has no fanotify permission events: nothing can be refused"
wait_for 10 sh -c "'$ACCTCTL' -j quota u2 | grep -q '\"counted\": true'" || fail "u2 not counted"
exec 7>> "$CT/kept-open"	# open before the limit is reached
out=$("$Q" -u 2000 write "$CT/a" 1536)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = 0 ] || fail "first 1.5M: $out"
# quotatime 0: the soft limit (1M) is the hard one; checked after the fact
wait_for 10 sh -c "'$ACCTCTL' -j quota u2 | grep -q '\"refusing\": true'" ||
    fail "not refusing past the limit: $(actl -j quota u2)"
out=$("$Q" -u 2000 write "$CT/b" 10)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = EPERM ] || fail "a new write past the limit: $out"
out=$("$Q" write "$CT/a" 10)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = EPERM ] || fail "root's write past the limit: $out"
[ "$(wc -c < "$CT/a")" = $((1536 * 1024)) ] || fail "reading in the full tree failed"
echo "written through a descriptor opened before" >&7 ||
    fail "a descriptor opened before the limit cannot write (docs say it can)"
exec 7>&-
[ -s "$CT/kept-open" ] || fail "nothing written through the kept descriptor"
out=$("$Q" -u 2000 write "$MNT/outside" 10)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = 0 ] || fail "a write outside the tree, same tmpfs: $out"
fc=$(actl -j quota u2 | sed -n 's/^  "failcnt": \([0-9]*\).*/\1/p')
[ "${fc:-0}" -ge 2 ] || fail "failcnt $fc after two refused opens"
actl events u2 2>/dev/null | grep -q diskspace || fail "no diskspace event in acctctl events: $(actl events u2)"
wait_for 5 grep -q '^u2 diskspace [0-9]' "$TDIR/hook.out" || fail "the alert hook did not run for diskspace"
actl -j ubc u2 | grep -q '"diskspace"' || fail "no diskspace quota row in ubc -j"
actl show u2 | grep -q '^  quota .*userspace' || fail "no quota line in show: $(actl show u2)"
actl quota u2 | grep -q '1k-blocks *15[0-9][0-9]\*' || fail "usage with * not shown: $(actl quota u2)"
pass "at the limit: opens for writing in the tree refused with EPERM (uid 2000 and root), reads, writes outside and through descriptors opened before go on (as documented), failcnt $fc, event and hook"

# accountd's own files on the filesystem it refuses opens on: its state
# moves to the same tmpfs; its own opens there must not wait for itself
stop_daemon
cp -a "$TDIR/state" "$MNT/state"
start_daemon -o quota_rescan=60 -o state_dir="$MNT/state"
wait_for 10 sh -c "'$ACCTCTL' -j quota u2 | grep -q '\"refusing\": true'" ||
    fail "not refusing after a restart: $(actl -j quota u2)"
fc2=$(actl -j quota u2 | sed -n 's/^  "failcnt": \([0-9]*\).*/\1/p')
[ "${fc2:-0}" -ge "$fc" ] || fail "failcnt $fc2 after a restart (was $fc)"
"$Q" -u 2000 write "$CT/c" 10 > /dev/null	# refused: quota.state is rewritten
sleep 1.5
timeout 5 "$ACCTCTL" quota u2 > /dev/null || fail "accountd stuck after writing its state on the refused filesystem"
grep -q '^u2 ' "$MNT/state/quota.state" || fail "no u2 line in quota.state"
pass "after an accountd restart (state on the refused tmpfs): the quota is back from u2.conf, still refusing, failcnt kept ($fc2), accountd answers"
qfail() { actl -j quota u2 | sed -n 's/^  "failcnt": \([0-9]*\).*/\1/p'; }
fc3=$(qfail)
"$Q" -u 2000 write "$CT/e" 10 > /dev/null	# refused, then the raise at once
actl set u2 --diskspace 10M:10M || fail "raise u2"
[ "$(qfail)" -gt "${fc3:-0}" ] 2> /dev/null ||
    fail "a refusal just before the raise was not counted: failcnt $(qfail), was $fc3"
wait_for 10 sh -c "'$ACCTCTL' -j quota u2 | grep -q '\"refusing\": false'" || fail "still refusing"
out=$("$Q" -u 2000 write "$CT/b" 10)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = 0 ] || fail "after raising: $out"
pass "raised to 10M: writes resume"
actl set u2 --diskspace 1M:1M || fail "lower u2 again"
wait_for 10 sh -c "'$ACCTCTL' -j quota u2 | grep -q '\"refusing\": true'" || fail "not refusing at 1M"
actl set u2 --diskspace unlimited || fail "quota off"
actl quota u2 > /dev/null 2>&1 && fail "u2 still has a quota"
out=$("$Q" -u 2000 write "$CT/d" 10)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = 0 ] || fail "after quota off: $out"
pass "diskspace unlimited turns the userspace quota off: no longer refusing"
stop_daemon	# back to a state folder off the tmpfs
start_daemon -o quota_rescan=60

# ---- (3) bad input -----------------------------------------------------------
msg=$(actl set u2 --diskspace 2M:1M 2>&1) && fail "soft above hard accepted"
[ "$(echo "$msg" | wc -l)" = 1 ] && echo "$msg" | grep -q 'barrier above limit' ||
    fail "soft above hard: $msg"
msg=$(actl quota u2 -u abc 1M:1M 2>&1) && fail "uid abc accepted"
echo "$msg" | grep -q "bad user id 'abc'" || fail "uid abc: $msg"
pass "soft above hard and a non-numeric uid are refused with one line"
stop_daemon
start_daemon -o quota_fallback=no
actl create u3 || fail "create u3"
conf=$TDIR/ct/u3.conf
before=$(cat "$conf")
msg=$(actl set u3 --private "$CT" --diskspace 1M:1M --save 2>&1) &&
    fail "a tmpfs tree accepted with quota_fallback=no"
[ "$(echo "$msg" | wc -l)" = 1 ] && echo "$msg" | grep -q 'quota_fallback is no' ||
    fail "fallback disallowed: $msg"
[ "$(cat "$conf")" = "$before" ] || fail "u3.conf changed by a refused set"
actl quota u3 > /dev/null 2>&1 && fail "u3 has a quota after a refused set"
pass "no project quota and quota_fallback=no: refused with one line, nothing changed"
