#!/bin/sh
# /init of the accountd test VM (busybox ash; installed as /init by run-vm.sh).
#
# Sets up a cgroup-v2-only system with ext4 and XFS quota mounts and swap, prints a
# header, runs the payload's integration tests (/payload/tests/integration/*.sh, or
# the list in /payload/tests/ORDER) as `bash FILE` with a per-test timeout, reports
# TAP on the console between the lines ACCT-VM-TAP-BEGIN and ACCT-VM-TAP-END, and
# powers off.
#
# Kernel command line options (set by run-vm.sh):
#   acct.swap=none|disk|zram   swap set-up (default none)
#   acct.only=NAME[,NAME...]   run only these tests (file names, ".sh" optional)
#   acct.timeout=SECONDS       per-test timeout (default 120)
#   acct.zram=SIZE             zram0 size in zram mode (default 256M)
#   acct.cgroup=v2|v1          cgroup hierarchy (default v2; v1 mounts one v1
#                              hierarchy per controller, as the hosts of cgroup
#                              v1 do, so v1 memsw meets real swap)
#   acct.shell=1               start a shell on the console instead of the tests
# shellcheck shell=dash

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
/usr/bin/busybox --install -s    # applet links where no real program (bash, ...) sits
export HOME=/root LANG=C LC_ALL=C TERM=dumb
umask 022

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=755 devtmpfs /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
mount -t devpts -o nosuid,noexec,gid=5,mode=620 devpts /dev/pts 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /run
dmesg -n 1                     # keep kernel messages off the console (the TAP is read from it)
hostname acct-vm
ip link set lo up 2>/dev/null    # no other network: qemu runs with -nic none

S=/run/acct-vm                  # state of this script
mkdir -p $S
uptime_s() { cut -d' ' -f1 /proc/uptime; }
T_INIT=$(uptime_s)
info() { echo "# acct-vm: $*"; }
warn() { echo "# acct-vm: WARNING: $*"; }

SWAP=none ONLY='' TTIMEOUT=120 ZRAMSIZE=256M SHELL_ONLY=0 CGV=v2
# shellcheck disable=SC2013
for w in $(cat /proc/cmdline); do
    case $w in
        acct.swap=*)    SWAP=${w#*=} ;;
        acct.only=*)    ONLY=${w#*=} ;;
        acct.timeout=*) TTIMEOUT=${w#*=} ;;
        acct.zram=*)    ZRAMSIZE=${w#*=} ;;
        acct.cgroup=*)  CGV=${w#*=} ;;
        acct.shell=1)   SHELL_ONLY=1 ;;
    esac
done

# ---- modules (the list and the builtin report were written by run-vm.sh) ------
modload() {  # LISTFILE: modprobe each module named in it; results go to $S/mod.ok, $S/mod.fail
    while read -r m; do
        if modprobe "$m" 2>"$S/modprobe.$m"; then echo "$m" >> $S/mod.ok
        else echo "$m($(tr '\n' ' ' < "$S/modprobe.$m"))" >> $S/mod.fail; fi
    done < "$1"
}
: > $S/mod.ok; : > $S/mod.fail
# disks first; xfs (the slow one, ~1 s under TCG) loads in the background meanwhile
modload /etc/acct-vm/modules.early
modload /etc/acct-vm/modules.late &
LATE_PID=$!

# the disks are found by their labels (made by run-vm.sh); vda/vdb/vdc is the fallback
finddev() {  # LABEL FALLBACK
    i=0
    while [ $i -lt 50 ]; do
        d=$(findfs "LABEL=$1" 2>/dev/null) && { echo "$d"; return 0; }
        i=$((i + 1)); sleep 0.1
    done
    echo "$2"
}
EXT4_DEV=$(finddev acct-ext4 /dev/vda)
XFS_DEV=$(finddev acct-xfs /dev/vdb)
SWAP_DEV=$(finddev acct-swap /dev/vdc)
T_DISKS=$(uptime_s)

# ---- cgroup v2 only (or v1 only: acct.cgroup=v1) ---------------------------
CG=/sys/fs/cgroup
if [ "$CGV" = v1 ]; then
    mount -t tmpfs -o nosuid,nodev,noexec,mode=755 cgroup $CG || warn "mounting a tmpfs on $CG failed"
    for c in cpu cpuacct cpuset memory blkio pids freezer; do
        mkdir -p $CG/$c
        mount -t cgroup -o nosuid,nodev,noexec,$c cgroup $CG/$c || warn "mounting the v1 $c hierarchy failed"
    done
    [ -e $CG/memory/memory.memsw.limit_in_bytes ] || warn "v1 memory has no memsw files (swap accounting off)"
else
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 $CG \
    || mount -t cgroup2 cgroup2 $CG || warn "mounting cgroup2 failed"
for c in cpuset cpu io memory pids; do
    if grep -qw $c $CG/cgroup.controllers; then
        echo "+$c" > $CG/cgroup.subtree_control 2>/dev/null || warn "could not enable $c in the root subtree_control"
    else
        warn "controller $c not available"
    fi
done
fi

# ---- swap --------------------------------------------------------------------
wait $LATE_PID            # zram needs its compressor modules; xfs is needed below
T_MODS=$(uptime_s)
case $SWAP in
    none) ;;
    disk) swapon "$SWAP_DEV" || warn "swapon $SWAP_DEV failed" ;;
    zram)
        if [ -e /sys/block/zram0 ]; then
            if ! { echo "$ZRAMSIZE" > /sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; }; then
                warn "zram swap set-up failed"
            fi
        else
            warn "no /sys/block/zram0 (zram module missing?)"
        fi ;;
    *) warn "unknown acct.swap=$SWAP (no swap)" ;;
esac

T_SWAP=$(uptime_s)

# ---- quota file systems ------------------------------------------------------
mkdir -p /mnt/ext4 /mnt/xfs
mount -t ext4 -o prjquota,usrquota,grpquota "$EXT4_DEV" /mnt/ext4 || warn "mounting ext4 $EXT4_DEV failed"
mount -t xfs -o uquota,gquota,prjquota "$XFS_DEV" /mnt/xfs || warn "mounting xfs $XFS_DEV failed"

T_READY=$(uptime_s)

# exec_test_env CMD...: exec CMD in the environment the tests get (TNAME: the test's name).
# Called in a ( subshell ) that it replaces, so that $! is CMD's pid.
exec_test_env() {
    exec env PATH="/payload/bin:$PATH" ACCT_BIN=/payload/bin ACCT_HELPERS=/payload/bin \
        ACCT_SRCDIR=/payload ACCT_IN_VM=1 CGROUP_ROOT=$CG TMPDIR=/tmp \
        ACCT_QUOTA_EXT4=/mnt/ext4 ACCT_QUOTA_EXT4_DEV="$EXT4_DEV" \
        ACCT_QUOTA_XFS=/mnt/xfs ACCT_QUOTA_XFS_DEV="$XFS_DEV" \
        ACCT_SWAP_MODE="$SWAP" ACCT_SWAP_DISK="$SWAP_DEV" \
        ACCT_TEST_NAME="$TNAME" ACCT_TEST_TIMEOUT="$TTIMEOUT" \
        "$@"
}

if [ $SHELL_ONLY = 1 ]; then
    echo "acct-vm: acct.shell=1: bash with the tests' environment; the payload is in /payload; exit to power off"
    TNAME=shell
    ( exec_test_env setsid cttyhack bash ) < /dev/console > /dev/console 2>&1
    poweroff -f
fi

# ---- header ------------------------------------------------------------------
printf '\nACCT-VM-TAP-BEGIN\n'    # on a line of its own, whatever the firmware left on the last one
info "kernel: $(uname -r) ($(uname -v)), $(nproc) cpus, MemTotal $(awk '/^MemTotal/{print $2 " " $3}' /proc/meminfo)"
info "cgroup2: $(grep ' cgroup2 ' /proc/mounts | tr '\n' ' ')"
if [ "$CGV" = v1 ]; then :
elif grep -q ' cgroup ' /proc/mounts; then warn "cgroup v1 mounts present: $(grep ' cgroup ' /proc/mounts | cut -d' ' -f2 | tr '\n' ' ')"
else info "cgroup v1 mounts: none"; fi
if [ "$CGV" = v1 ]; then
    info "cgroup v1 hierarchies: $(grep ' cgroup ' /proc/mounts | cut -d' ' -f2 | tr '\n' ' ')"
else
    info "$CG/cgroup.controllers: $(cat $CG/cgroup.controllers)"
    info "$CG/cgroup.subtree_control: $(cat $CG/cgroup.subtree_control)"
fi
info "swap mode: $SWAP"
while read -r l; do info "/proc/swaps: $l"; done < /proc/swaps
if [ -e /sys/class/zram-control ]; then info "zram: available, devices: $(cd /sys/block && echo zram*)"
else warn "zram NOT available"; fi
info "ext4: $(grep ' /mnt/ext4 ' /proc/mounts || echo "NOT mounted ($EXT4_DEV)")"
info "xfs: $(grep ' /mnt/xfs ' /proc/mounts || echo "NOT mounted ($XFS_DEV)")"
info "swap disk: $SWAP_DEV"
info "modules loaded: $(tr '\n' ' ' < $S/mod.ok)"
info "modules builtin: $(cat /etc/acct-vm/modules.builtin)"
[ -s $S/mod.fail ] && warn "modules failed: $(tr '\n' ' ' < $S/mod.fail)"
info "uptime: /init started at ${T_INIT} s; disks found at $T_DISKS s; modules loaded at $T_MODS s; swap on at $T_SWAP s; set-up done at ${T_READY} s"

# ---- the tests ---------------------------------------------------------------
TDIR=/payload/tests/integration
: > $S/list
if [ -n "$ONLY" ]; then
    echo "$ONLY" | tr ',' '\n' | while read -r n; do
        [ -n "$n" ] || continue
        case $n in *.sh) ;; *) n=$n.sh ;; esac
        echo "$n"
    done > $S/list
elif [ -f /payload/tests/ORDER ]; then
    sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' /payload/tests/ORDER | grep -v '^$' > $S/list
else
    # helper libraries (lib*.sh) sit beside the tests and are not tests;
    # the tiers beside tests/integration (tests/security, when the payload
    # has it) run after it, named by their full paths
    for f in "$TDIR"/*.sh; do
        [ -f "$f" ] || continue
        case ${f##*/} in lib*.sh) continue ;; esac
        echo "${f##*/}"
    done | sort > $S/list
    for f in /payload/tests/security/*.sh; do
        [ -f "$f" ] || continue
        case ${f##*/} in lib*.sh) continue ;; esac
        echo "$f"
    done | sort >> $S/list
fi
N=$(grep -c . $S/list)
info "tests: $N, per-test timeout ${TTIMEOUT} s, selection: $(if [ -n "$ONLY" ]; then echo "acct.only=$ONLY"; elif [ -f /payload/tests/ORDER ]; then echo "tests/ORDER"; else echo "all of tests/integration/*.sh"; fi)"
echo "1..$N"

cgroups_now() { echo /; find $CG -mindepth 1 -maxdepth 1 -type d | sort; }  # "/": never an empty list
K=0 PASS=0 FAIL=0 SKIP=0
T_TESTS=$(uptime_s)
while read -r name; do
    K=$((K + 1))
    case $name in /*) f=$name ;; *) f=$TDIR/$name ;; esac
    tname=$(echo "${name#"$TDIR"/}" | tr '#' '_')
    if [ ! -f "$f" ]; then
        echo "# no such test: $f"
        echo "not ok $K - $tname"
        FAIL=$((FAIL + 1)); continue
    fi
    log=$S/test-$K.log fifo=$S/fifo-$K
    rm -f $S/timedout
    : > "$log"
    mkfifo $fifo
    # the test's output goes to the console as "# " lines while it runs, and to $log
    awk -v lf="$log" '{ print "# " $0; fflush(); print > lf; fflush(lf) }' < $fifo &
    apid=$!
    cgroups_now > $S/cg.before
    kmsg_before=$(dmesg | wc -l)
    t0=$(uptime_s)
    # a new session: the test and everything it starts form process group $tpid
    TNAME=$tname
    ( exec_test_env setsid bash "$f" ) < /dev/null > $fifo 2>&1 &
    tpid=$!
    # watchdog, in a session of its own so that it can be stopped with its sleep
    setsid sh -c "sleep $TTIMEOUT; echo > $S/timedout; kill -TERM -$tpid; sleep 5; kill -KILL -$tpid" \
        < /dev/null > /dev/null 2>&1 &
    wpid=$!
    wait $tpid 2>/dev/null    # (no "Terminated" job notice on the console)
    rc=$?
    t1=$(uptime_s)
    kill -KILL -$wpid 2>/dev/null
    wait $wpid 2>/dev/null
    kill -KILL -$tpid 2>/dev/null     # leftovers of the test in its process group
    i=0
    while kill -0 $apid 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 $apid 2>/dev/null; then
        echo "# acct-vm: WARNING: output of $tname still held open after it ended (a process left running outside its process group?)"
        kill $apid 2>/dev/null
    fi
    wait $apid 2>/dev/null
    rm -f $fifo
    dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    cgroups_now > $S/cg.after
    leftover=$(grep -vxF -f $S/cg.before $S/cg.after | tr '\n' ' ')
    [ -n "$leftover" ] && echo "# acct-vm: note: $tname left cgroups behind: $leftover"
    if [ -f $S/timedout ]; then
        echo "# acct-vm: $tname: TIMEOUT after ${TTIMEOUT} s (killed)"
        res=fail
    else
        echo "# acct-vm: $tname: exit status $rc, ${dt} s"
        case $rc in 0) res=pass ;; 77) res=skip ;; *) res=fail ;; esac
    fi
    case $res in
        pass) PASS=$((PASS + 1)); echo "ok $K - $tname" ;;
        skip)
            SKIP=$((SKIP + 1))
            reason=$(grep '^SKIP:' "$log" | tail -n 1 | sed -e 's/^SKIP:[[:space:]]*//' | tr '#' '_')
            echo "ok $K - $tname # SKIP ${reason:-exit status 77}" ;;
        fail)
            FAIL=$((FAIL + 1))
            dmesg | tail -n +$((kmsg_before + 1)) | tail -n 60 | sed 's/^/# kmsg: /'
            echo "not ok $K - $tname" ;;
    esac
done < $S/list
T_END=$(uptime_s)
info "summary: $PASS passed, $FAIL failed, $SKIP skipped of $N; tests took $(awk -v a="$T_TESTS" -v b="$T_END" 'BEGIN { printf "%.2f", b - a }') s; uptime ${T_END} s"
echo "ACCT-VM-TAP-END"

sync
swapoff -a 2>/dev/null
umount /mnt/ext4 2>/dev/null
umount /mnt/xfs 2>/dev/null
poweroff -f
sleep 5
echo o > /proc/sysrq-trigger
