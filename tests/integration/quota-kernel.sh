#!/bin/bash
# Disk quota through the kernel's project quota (docs/quota.md), on every
# ext4 and XFS mounted with prjquota (in the VM: /mnt/ext4 and /mnt/xfs,
# ACCT_QUOTA_EXT4/ACCT_QUOTA_XFS), or where there is none, on an ext4
# image of its own, loop-mounted with prjquota (a kernel without
# CONFIG_QFMT_V2 cannot: the test skips, quoting the kernel).  First level: writes stop at the hard
# limit with the filesystem's error (ext4 EDQUOT, XFS ENOSPC for project
# quota), the inode limit stops file creation, the soft limit acts as
# hard once the grace has run out, raising the limit lets writes resume.
# Second level: a uid's limit set with acctctl quota -u stops it (EDQUOT).
# Writes run as uid 2000 (ext4 does not hold root to quota limits).
. "$(dirname "$0")/lib.sh"
require_cgroups

# ACCT_QUOTA_LOOP=1: the loop-mounted image even where mounts exist (to
# check that path on a kernel that can mount it)
mnts=()
[ "${ACCT_QUOTA_LOOP:-0}" = 1 ] || for m in "${ACCT_QUOTA_EXT4:-}" "${ACCT_QUOTA_XFS:-}"; do
	[ -n "$m" ] && grep -q " $m .*prjquota" /proc/mounts && mnts+=("$m")
done
if [ ${#mnts[@]} = 0 ] && [ "${ACCT_QUOTA_LOOP:-0}" != 1 ]; then
	while read -r _ mp fs opts _; do
		case $fs in ext4|xfs) ;; *) continue ;; esac
		case ,$opts, in *,prjquota,*) mnts+=("$mp") ;; esac
	done < /proc/mounts
fi
# None mounted: a loop-mounted ext4 image of the test's own with project
# (and user and group) quota, where this kernel can mount one
LOOPMNT=
if [ ${#mnts[@]} = 0 ]; then
	command -v mkfs.ext4 > /dev/null ||
	    fail "no mkfs.ext4 for a loop-mounted ext4 (scripts/deps.sh installs e2fsprogs)"
	prepare_tdir
	truncate -s 96M "$TDIR/ext4.img" &&
	    mkfs.ext4 -q -F -O quota,project -I 256 \
	    -E quotatype=usrquota:grpquota:prjquota "$TDIR/ext4.img" ||
	    fail "mkfs.ext4 -O quota,project on $TDIR/ext4.img"
	mkdir -p "$TDIR/ext4"
	if ! err=$(mount -o loop,prjquota,usrquota,grpquota "$TDIR/ext4.img" \
	    "$TDIR/ext4" 2>&1); then
		why=$(dmesg 2> /dev/null | grep 'EXT4-fs (loop' | tail -1 |
		    sed 's/^\[[^]]*\] *//')
		skip "no ext4 or XFS mounted with prjquota here, and this kernel" \
		    "($(uname -r)) cannot mount a loop ext4 with project quota:" \
		    "${why:-$err}; the VM stage has both"
	fi
	LOOPMNT=$TDIR/ext4
	chmod 755 "$TDIR" "$LOOPMNT"	# uid 2000 writes under it
	trap 'r=$?; stop_daemon; umount "$LOOPMNT"; (exit $r); cleanup' EXIT
	mnts+=("$LOOPMNT")
	note "ext4 with project quota on a loop device at $LOOPMNT"
fi
Q=$HELPERS/qtool
[ -x "$Q" ] || fail "no qtool at $Q"
start_daemon -o quota_fallback=no
DIRS=()
cleanup_dirs() { local d; for d in "${DIRS[@]}"; do rm -rf "$d"; done; }
trap 'r=$?; cleanup_dirs; stop_daemon
    [ -z "$LOOPMNT" ] || umount "$LOOPMNT"; (exit $r); cleanup' EXIT

kib() {	# CT: blocks usage in KiB
	actl -j quota "$1" | awk -F'[:,]' '/"usage"/ { print int(($2 + 1023) / 1024); exit }'
}
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }	# busybox date has no %N
errname() { sed -n 's/.*errno=\([A-Z0-9a-z]*\).*/\1/p' <<<"$1"; }
done_n() { sed -n 's/^done=\([0-9]*\).*/\1/p' <<<"$1"; }

n=0
for mnt in "${mnts[@]}"; do
	n=$((n + 1))
	fs=$(awk -v m="$mnt" '$2 == m { print $3 }' /proc/mounts)
	ct=q$n$fs
	want=EDQUOT
	[ "$fs" = xfs ] && want=ENOSPC
	dir=$mnt/acctd-q-$$-$n
	DIRS+=("$dir")
	mkdir -p "$dir/old/sub" || fail "mkdir $dir"
	# an existing populated tree: 256 KiB and 2000 empty files made
	# before the quota is on
	dd if=/dev/zero of="$dir/old/sub/data" bs=1024 count=256 2>/dev/null
	mkdir -p "$dir/old/many" && "$Q" mkfiles "$dir/old/many" 2000 1 > /dev/null
	chmod -R a+rwX "$dir"

	t0=$(now_ms)
	actl create "$ct" --private "$dir" --diskspace 2M:2M \
	    --diskinodes 3000:3000 --quotatime 0 || fail "$fs: create with quota"
	# the project id goes onto the existing tree in the background
	wait_for 120 sh -c "! '$ACCTCTL' -j quota '$ct' | grep -q '\"tagging\": true'" ||
	    fail "$fs: project id still being set: $(actl quota "$ct")"
	note "$fs: project id set on $(find "$dir" | wc -l) entries in $(( $(now_ms) - t0 )) ms (in the background)"
	i=$(actl -j quota "$ct" | awk '/"inodes"/ { b = 1 } b && /"usage"/ { gsub(/[^0-9]/, ""); print; exit }')
	[ "$i" -ge 2000 ] || fail "$fs: the 2000 existing files are not counted ($i inodes)"
	out=$(actl quota "$ct") || fail "$fs: acctctl quota"
	note "$fs: $(actl -j quota "$ct" | grep -E '"(mechanism|projid)"' | tr -d '\n ')"
	echo "$out" | grep -q '^ *1k-blocks' || fail "$fs: no vzquota stat table: $out"
	u=$(kib "$ct")
	[ "$u" -ge 256 ] || fail "$fs: the existing 256 KiB are not counted ($u KiB)"
	pass "$fs: quota on a populated tree counts what was there ($u KiB)"

	out=$("$Q" -u 2000 write "$dir/big" 4096)
	d=$(done_n "$out")
	[ "$(errname "$out")" = "$want" ] || fail "$fs: write past 2M: $out (want $want)"
	[ "$d" -lt 2048 ] && [ "$d" -gt 1024 ] || fail "$fs: stopped after $d KiB"
	pass "$fs: writes stop at the hard limit with $want after $d KiB (+256 before)"

	actl set "$ct" --diskspace 8M:8M || fail "$fs: raise"
	out=$("$Q" -u 2000 write "$dir/big" 1024)
	[ "$(errname "$out")" = 0 ] || fail "$fs: after raising to 8M: $out"
	pass "$fs: raised to 8M: 1 MiB more goes through"

	mkdir "$dir/many" && chmod a+rwx "$dir/many"
	i=$(actl -j quota "$ct" | awk '/"inodes"/ { b = 1 } b && /"usage"/ { gsub(/[^0-9]/, ""); print; exit }')
	actl set "$ct" --diskinodes "$((i + 30)):$((i + 30))" || fail "$fs: inode limit"
	out=$("$Q" -u 2000 create "$dir/many" 100)
	d=$(done_n "$out")
	[ "$(errname "$out")" = "$want" ] && [ "$d" -le 30 ] && [ "$d" -ge 20 ] ||
	    fail "$fs: creating 100 files with 30 inodes left: $out"
	pass "$fs: the inode limit stops file creation after $d files ($want)"
	actl set "$ct" --diskinodes unlimited || fail "$fs: inodes unlimited"

	# soft past grace: soft = usage + 512K, hard = usage + 4M, grace 2 s
	u=$(kib "$ct")
	actl set "$ct" --diskspace "$((u + 512))K:$((u + 4096))K" --quotatime 2 ||
	    fail "$fs: soft:hard with grace"
	out=$("$Q" -u 2000 write "$dir/soft" 1024)
	[ "$(errname "$out")" = 0 ] || fail "$fs: over soft within grace: $out"
	actl quota "$ct" | grep -q '1k-blocks *[0-9]*\*' ||
	    fail "$fs: no * past soft: $(actl quota "$ct")"
	pass "$fs: past soft within the grace: writes go on"
	wait_for 6 sh -c "'$ACCTCTL' quota '$ct' | grep -q ' none *\$'" ||
	    fail "$fs: grace not shown as none: $(actl quota "$ct")"
	out=$("$Q" -u 2000 write "$dir/soft" 256)
	[ "$(errname "$out")" = "$want" ] || fail "$fs: past grace: $out"
	actl quota "$ct" | sed 's/^/# /'
	pass "$fs: grace over: the soft limit acts as hard ($want)"

	actl set "$ct" --diskspace unlimited || fail "$fs: quota off"
	out=$("$Q" -u 2000 write "$dir/soft" 256)
	[ "$(errname "$out")" = 0 ] || fail "$fs: after quota off: $out"
	actl quota "$ct" > /dev/null 2>&1 && fail "$fs: quota still shown after off"
	pass "$fs: diskspace unlimited turns the quota off; writes resume"

	# second level
	if grep -q " $mnt .*usrquota" /proc/mounts || grep -q " $mnt .*uquota" /proc/mounts; then
		actl set "$ct" --diskspace 64M:64M --quotaugidlimit 10 ||
		    fail "$fs: quotaugidlimit"
		actl quota "$ct" -u 2001 512K:512K || fail "$fs: acctctl quota -u"
		out=$("$Q" -u 2001 write "$dir/u2001" 2048)
		d=$(done_n "$out")
		[ "$(errname "$out")" = EDQUOT ] && [ "$d" -le 512 ] ||
		    fail "$fs: uid 2001 past its 512K: $out"
		actl quota "$ct" -t | sed 's/^/# /'
		actl quota "$ct" -t | grep -q '^2001 *user' ||
		    fail "$fs: uid 2001 not in the -t table: $(actl quota "$ct" -t)"
		actl quota "$ct" -u 2001 0:0 || fail "$fs: clear uid limit"
		pass "$fs: second level: uid 2001 stops at 512 KiB (EDQUOT), listed by -t"
		actl set "$ct" --quotaugidlimit 0 --diskspace unlimited || fail "$fs: ugid off"
	fi
done
