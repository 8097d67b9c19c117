#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# the rest of the test environment: quota mounts, devices, swap mode, zram, env contract
set -euo pipefail
# shellcheck source=lib-selftest.sh
. "$(dirname "$0")/lib-selftest.sh"
need_vm
for v in ACCT_BIN ACCT_HELPERS ACCT_SRCDIR CGROUP_ROOT TMPDIR ACCT_QUOTA_EXT4 ACCT_QUOTA_EXT4_DEV \
         ACCT_QUOTA_XFS ACCT_QUOTA_XFS_DEV ACCT_SWAP_MODE ACCT_SWAP_DISK ACCT_TEST_NAME ACCT_TEST_TIMEOUT; do
    [ -n "${!v:-}" ] || fail "$v is not set"
    echo "$v=${!v}"
done
case ":$PATH:" in *":$ACCT_BIN:"*) ;; *) fail "ACCT_BIN is not on PATH" ;; esac
[ "$(cd "$ACCT_SRCDIR" && pwd)" = /payload ] || fail "ACCT_SRCDIR is not /payload"
t=$(mktemp) || fail "mktemp in TMPDIR=$TMPDIR failed"
rm -f "$t"

mnt() { awk -v m="$1" '$2 == m' /proc/mounts; }
e=$(mnt "$ACCT_QUOTA_EXT4"); x=$(mnt "$ACCT_QUOTA_XFS")
echo "ext4: $e"; echo "xfs:  $x"
read -r dev _ fstype opts _ <<<"$e"
if [ "$dev" != "$ACCT_QUOTA_EXT4_DEV" ] || [ "$fstype" != ext4 ]; then fail "ext4 is not $ACCT_QUOTA_EXT4_DEV on $ACCT_QUOTA_EXT4"; fi
for o in usrquota grpquota prjquota; do [[ ,$opts, == *,$o,* ]] || fail "ext4 mounted without $o"; done
read -r dev _ fstype opts _ <<<"$x"
if [ "$dev" != "$ACCT_QUOTA_XFS_DEV" ] || [ "$fstype" != xfs ]; then fail "xfs is not $ACCT_QUOTA_XFS_DEV on $ACCT_QUOTA_XFS"; fi
for o in usrquota grpquota prjquota; do [[ ,$opts, == *,$o,* ]] || fail "xfs mounted without $o"; done
for d in "$ACCT_QUOTA_EXT4_DEV" "$ACCT_QUOTA_XFS_DEV" "$ACCT_SWAP_DISK"; do [ -b "$d" ] || fail "$d is not a block device"; done

echo "swap mode $ACCT_SWAP_MODE; /proc/swaps:"; cat /proc/swaps
active=$(awk 'NR > 1 { print $1 }' /proc/swaps)
case $ACCT_SWAP_MODE in
    none) [ -z "$active" ] || fail "swap is on in mode none: $active" ;;
    disk) [ "$active" = "$ACCT_SWAP_DISK" ] || fail "swap mode disk, but active swap is '$active'" ;;
    zram) [ "$active" = /dev/zram0 ] || fail "swap mode zram, but active swap is '$active'"
          echo "zram0: disksize $(cat /sys/block/zram0/disksize), comp_algorithm $(cat /sys/block/zram0/comp_algorithm)" ;;
    *) fail "unknown ACCT_SWAP_MODE $ACCT_SWAP_MODE" ;;
esac
[ -d /sys/class/zram-control ] || fail "zram is not available"
echo "zram available: $(cd /sys/block && echo zram*)"

# a daemon under test may use the loopback interface and /etc/mtab-reading tools
ip -o link show lo | grep -q 'UP' || fail "lo is not up"
[ -e /etc/mtab ] || fail "no /etc/mtab"
echo "lo is up; /etc/mtab -> $(readlink /etc/mtab)"
