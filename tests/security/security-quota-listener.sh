#!/bin/bash
# Issue 14, defect 3: the disk quota must never stop a whole filesystem.
# (1) --private on a filesystem's root (/, a tmpfs mount point) is refused
# with one line, by create and by set, quota or not, and nothing is made;
# (2) with a container of the userspace quota at its limit, opens for
# writing outside its tree on the same filesystem go through and reads in
# its tree go on (only write-opens in the tree are refused); (3) with
# accountd stopped (SIGSTOP) for 2 s, a read in the tree and a write
# outside it do not wait, and a write-open in the tree is still refused
# (the listener is a process of its own); (4) the listener holds only
# CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE, and when killed is replaced and
# the refusals go on.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
Q=$HELPERS/qtool
[ -x "$Q" ] || fail "no qtool at $Q"
prepare_tdir
MNT=$TDIR/mnt
cont() { [ -n "$DPID" ] && kill -CONT "$DPID" 2> /dev/null; }
trap 'r=$?; cont; stop_daemon; umount "$MNT" 2>/dev/null; (exit $r); cleanup' EXIT
chmod 755 "$TDIR"
start_daemon -o quota_rescan=60
errno_of() { sed -n 's/.*errno=//p' <<<"$1"; }
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }	# busybox date has no %N

# ---- (1) a filesystem's root is refused ----------------------------------
one_line() {	# WHAT MSG
	[ "$(echo "$2" | wc -l)" = 1 ] && echo "$2" | grep -q 'root of a filesystem' ||
	    fail "$1: not the one-line refusal: $2"
}
msg=$(actl create s1 --private / --diskspace 1M:1M 2>&1) && fail "create --private / accepted"
one_line "create --private /" "$msg"
actl show s1 > /dev/null 2>&1 && fail "s1 created by a refused create"
[ -e "$TDIR/ct/s1.conf" ] && fail "s1.conf written by a refused create"
actl create s2 > /dev/null || fail "create s2"
before=$(cat "$TDIR/ct/s2.conf")
msg=$(actl set s2 --private / --diskspace 1M:1M --save 2>&1) && fail "set --private / accepted"
one_line "set --private / --diskspace" "$msg"
msg=$(actl set s2 --private / --save 2>&1) && fail "set --private / (no quota) accepted"
one_line "set --private / alone" "$msg"
[ "$(cat "$TDIR/ct/s2.conf")" = "$before" ] || fail "s2.conf changed by a refused set"
mkdir -p "$MNT"
mount -t tmpfs -o size=64m,mode=0777 acctd-secquota "$MNT" || skip "cannot mount a tmpfs"
msg=$(actl set s2 --private "$MNT" --diskspace 1M:1M 2>&1) && fail "a tmpfs mount point accepted"
one_line "set --private MOUNTPOINT" "$msg"
actl quota s2 > /dev/null 2>&1 && fail "s2 has a quota after refused sets"
pass "--private on / and on a tmpfs mount point: refused with one line by create and set, nothing made or saved"

# ---- (2) at the limit: only write-opens in the tree are refused ---------------
CT=$MNT/ct OUT=$MNT/out
mkdir -m 777 "$CT" "$OUT"
echo outside > "$OUT/old"
actl create u1 --private "$CT" --diskspace 1M:1M --quotatime 0 > /dev/null || fail "create u1"
grep -q 'no fanotify permission events' "$TDIR/daemon.log" &&
    skip "this kernel has no fanotify permission events: nothing is refused"
wait_for 10 sh -c "'$ACCTCTL' -j quota u1 | grep -q '\"counted\": true'" || fail "u1 not counted"
out=$("$Q" -u 2000 write "$CT/a" 1536)
[ "$(errno_of "$out")" = 0 ] || fail "first 1.5M: $out"
wait_for 10 sh -c "'$ACCTCTL' -j quota u1 | grep -q '\"refusing\": true'" ||
    fail "not refusing past the limit: $(actl -j quota u1)"
out=$("$Q" -u 2000 write "$CT/b" 1)
[ "$(errno_of "$out")" = EPERM ] || fail "a write-open in the tree at its limit: $out"
out=$("$Q" -u 2000 write "$OUT/new" 10)
[ "$(errno_of "$out")" = 0 ] || fail "a write-open outside the tree, same tmpfs: $out"
out=$("$Q" write "$OUT/old" 1)
[ "$(errno_of "$out")" = 0 ] || fail "root's write-open of a file outside the tree: $out"
timeout 5 cat "$CT/a" > /dev/null || fail "a read in the tree at its limit failed"
pass "at the limit: write-opens outside the tree on the same tmpfs succeed, reads in the tree succeed, write-opens in it are refused"

# ---- (3) accountd stopped: nothing outside waits, reads in the tree neither ----
fc0=$(actl -j quota u1 | sed -n 's/^  "failcnt": \([0-9]*\).*/\1/p')
kill -STOP "$DPID"
t0=$(now_ms)
timeout 3 cat "$CT/a" > /dev/null || fail "a read in the tree waited while accountd was stopped"
out=$(timeout 3 "$Q" -u 2000 write "$OUT/while-stopped" 10) ||
    fail "a write outside the tree waited while accountd was stopped"
[ "$(errno_of "$out")" = 0 ] || fail "a write outside the tree while accountd was stopped: $out"
out=$(timeout 3 "$Q" -u 2000 write "$CT/c" 1) ||
    fail "a write-open in the tree waited while accountd was stopped"
[ "$(errno_of "$out")" = EPERM ] || fail "a write-open in the tree while accountd was stopped: $out"
ms=$(( $(now_ms) - t0 ))
# a blocked open would have waited out its timeout: the stop ends only now
sleep 2
kill -CONT "$DPID"
timeout 5 "$ACCTCTL" status > /dev/null || fail "accountd does not answer after SIGCONT"
wait_for 5 sh -c "[ \"\$('$ACCTCTL' -j quota u1 | sed -n 's/^  \"failcnt\": \([0-9]*\).*/\1/p')\" -gt ${fc0:-0} ]" ||
    fail "the refusal while accountd was stopped was not counted (failcnt $fc0)"
pass "accountd stopped 2 s: a read in the tree, a write outside and a refused write-open in the tree all answered at once ($ms ms for the three), the refusal counted after SIGCONT"

# ---- (4) the listener killed: another takes over ---------------------------
listener_pid() {	# accountd's child running as the listener (no pgrep in the VM)
	local p
	for p in /proc/[0-9]*; do
		[ "$(awk '/^PPid:/ { print $2 }' "$p/status" 2> /dev/null)" = "$DPID" ] || continue
		tr '\0' ' ' < "$p/cmdline" 2> /dev/null | grep -q -- '--quota-listener' &&
		    echo "${p#/proc/}"
	done | head -1
}
new_listener() { local n; n=$(listener_pid); [ -n "$n" ] && [ "$n" != "$1" ]; }
lp=$(listener_pid)
[ -n "$lp" ] || fail "no listener process under accountd (pid $DPID)"
# CAP_DAC_READ_SEARCH (2) and CAP_SYS_PTRACE (19) only
caps=$(awk '/^CapEff:/ { print $2 }' "/proc/$lp/status")
[ "$caps" = 0000000000080004 ] || fail "the listener keeps capabilities $caps (expected 0000000000080004)"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$lp/status" || fail "the listener may gain privileges (NoNewPrivs 0)"
kill -KILL "$lp"
out=$(timeout 5 "$Q" -u 2000 write "$OUT/after-kill" 1)
[ "$(errno_of "$out")" = 0 ] || fail "a write outside after the listener died: $out"
wait_for 5 new_listener "$lp" ||
    fail "no new listener after the old one was killed"
wait_for 5 sh -c "[ \"\$('$Q' -u 2000 write '$CT/d' 1 | sed -n 's/.*errno=//p')\" = EPERM ]" ||
    fail "write-opens in the tree not refused again after the listener was replaced"
grep -q 'fanotify listener .* is gone' "$TDIR/daemon.log" || fail "no log line for the listener's death"
pass "the listener keeps 2 capabilities; killed: nothing waits, a new one refuses write-opens in the tree again within seconds"
actl destroy u1 --force > /dev/null 2>&1
