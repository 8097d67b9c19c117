#!/bin/bash
# run-vm.sh --payload DIR [options]
#
# Boots Debian's cloud kernel (cgroup v2 only) under qemu with TCG, runs the payload's
# integration tests inside it and reports TAP.  See tests/vm/README.md.
#
#   --payload DIR        the payload: DIR/bin/ (programs and helpers, on PATH in the guest),
#                        DIR/tests/integration/*.sh (the tests), optional DIR/tests/ORDER
#   --swap MODE          none | disk | zram (default: disk)
#                          none: no swap on; disk: swapon the 256 MiB virtio swap disk;
#                          zram: swapon a zram0 of --zram-size.  The swap disk is attached
#                          and the zram module loaded in every mode.
#   --test NAME          run only this test (file name in tests/integration, .sh optional);
#                        may be given more than once
#   --test-timeout S     per-test timeout inside the guest (default 120)
#   --timeout S          timeout for the whole VM on the host
#                        (default 90 + number of tests x per-test timeout)
#   --mem MB             guest memory (default 1024)
#   --smp N              guest cpus (default 2)
#   --zram-size SIZE     zram0 size in zram mode (default 256M)
#   --out DIR            where vm-results.tap and vm-console.log go (default ./vm-results)
#   --host-bin PROG      also put the host program PROG (with its shared libraries) into the
#                        guest's /usr/local/bin; may be given more than once
#   --append ARGS        more kernel command line
#   --shell              interactive: no tests, a shell on the console (needs a terminal)
#   --verbose            copy the console to stderr while the VM runs
#   --keep               keep the work dir (initramfs, disk images) and print where it is
#   --no-prepare         do not run prepare.sh when qemu or the kernel is missing
#
# Environment: ACCT_VM_CACHE (kernel cache, see prepare.sh), ACCT_VM_ACCEL (default tcg),
# ACCT_VM_BIOS (qboot, the default when qemu has it; seabios; or a firmware file),
# ACCT_VM_QEMU_OPTS (more qemu arguments, split at blanks), ACCT_VM_REQUIRE=1 (exit 99 instead of 77 when the VM stage is unavailable).
#
# Exit status: 0 all tests passed or skipped; 1 a test failed, the VM timed out or the TAP
# is missing or incomplete; 2 usage or set-up error; 77 the VM stage is unavailable here
# (no qemu, no kernel).
set -euo pipefail

ME=run-vm
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say()  { echo "$ME: $*"; }
die()  { echo "$ME: error: $*" >&2; exit 2; }
unavail() {
    if [ "${ACCT_VM_REQUIRE:-0}" = 1 ]; then echo "$ME: error: VM stage unavailable (ACCT_VM_REQUIRE=1): $*" >&2; exit 99; fi
    echo "$ME: SKIP: VM stage unavailable: $*" >&2; exit 77
}
now()  { date +%s.%N; }
dur()  { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

PAYLOAD='' SWAP=disk TESTS=() TTIMEOUT=120 TIMEOUT='' MEM=1024 SMP=2 ZRAMSIZE=256M
OUT=$PWD/vm-results HOSTBINS=() APPEND='' SHELL_MODE=0 VERBOSE=0 KEEP=0 PREPARE=1
need() { if [ $# -lt 2 ] || [ -z "$2" ]; then die "option $1 needs a value"; fi; }
while [ $# -gt 0 ]; do
    case $1 in
        --payload)      need "$@"; PAYLOAD=$2; shift ;;
        --swap)         need "$@"; SWAP=$2; shift ;;
        --test)         need "$@"; TESTS+=("$2"); shift ;;
        --test-timeout) need "$@"; TTIMEOUT=$2; shift ;;
        --timeout)      need "$@"; TIMEOUT=$2; shift ;;
        --mem)          need "$@"; MEM=$2; shift ;;
        --smp)          need "$@"; SMP=$2; shift ;;
        --zram-size)    need "$@"; ZRAMSIZE=$2; shift ;;
        --out)          need "$@"; OUT=$2; shift ;;
        --host-bin)     need "$@"; HOSTBINS+=("$2"); shift ;;
        --append)       need "$@"; APPEND=$2; shift ;;
        --shell)        SHELL_MODE=1 ;;
        --verbose)      VERBOSE=1 ;;
        --keep)         KEEP=1 ;;
        --no-prepare)   PREPARE=0 ;;
        -h|--help)      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
done
[ -n "$PAYLOAD" ] || die "--payload DIR is required"
[ -d "$PAYLOAD" ] || die "payload $PAYLOAD is not a directory"
PAYLOAD=$(cd "$PAYLOAD" && pwd)
case $SWAP in none|disk|zram) ;; *) die "--swap must be none, disk or zram (not $SWAP)" ;; esac
for v in TTIMEOUT MEM SMP; do [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "bad number for $v: ${!v}"; done
[ -z "$TIMEOUT" ] || [[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "bad --timeout: $TIMEOUT"
for t in "${TESTS[@]}"; do [[ $t =~ ^[A-Za-z0-9._/-]+$ ]] || die "bad test name: $t"; done
[[ $ZRAMSIZE =~ ^[0-9]+[KMG]?$ ]] || die "bad --zram-size: $ZRAMSIZE"

T_START=$(now)

# ---- qemu and the kernel ------------------------------------------------------------
QEMU="qemu-system-x86_64"
kernel_env() { ACCT_VM_CACHE=${ACCT_VM_CACHE:-} bash "$HERE/prepare.sh" --print-env 2>/dev/null; }
if ! command -v $QEMU >/dev/null || ! command -v busybox >/dev/null || ! kernel_env >/dev/null; then
    [ $PREPARE = 1 ] || unavail "qemu, busybox or the cached kernel is missing (run tests/vm/prepare.sh)"
    say "qemu, busybox or the kernel is missing: running prepare.sh"
    rc=0; bash "$HERE/prepare.sh" || rc=$?
    [ $rc = 0 ] || unavail "prepare.sh failed (exit $rc)"
fi
command -v $QEMU >/dev/null || unavail "$QEMU not found"
KENV=$(kernel_env) || unavail "no prepared kernel (tests/vm/prepare.sh)"
KVER=$(sed -n 's/^KVER=//p' <<<"$KENV")
KROOT=$(sed -n 's/^KROOT=//p' <<<"$KENV")
VMLINUZ=$(sed -n 's/^VMLINUZ=//p' <<<"$KENV")
MODDIR=$KROOT/lib/modules/$KVER
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is not static (install busybox-static)"; fi
for p in mkfs.ext4 mkfs.xfs mkswap; do command -v $p >/dev/null || PATH=$PATH:/sbin:/usr/sbin; done
for p in mkfs.ext4 mkfs.xfs mkswap depmod; do command -v $p >/dev/null || unavail "$p not found"; done

# ---- work dir, clean-up -----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/acct-vm.XXXXXX")
QPID=''
# shellcheck disable=SC2317  # (called through the trap)
cleanup() {
    if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
        kill "$QPID" 2>/dev/null || true     # the timeout(1) running our qemu; it passes the signal on
        wait "$QPID" 2>/dev/null || true
    fi
    if [ "$KEEP" = 1 ]; then say "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
TAP=$OUT/vm-results.tap CONSOLE=$OUT/vm-console.log
rm -f "$TAP" "$CONSOLE"

# ---- disk images --------------------------------------------------------------------------
t=$(now)
truncate -s 256M "$WORK/ext4.img"
mkfs.ext4 -q -F -L acct-ext4 -I 256 -O quota,project -E quotatype=usrquota:grpquota:prjquota "$WORK/ext4.img"
truncate -s 320M "$WORK/xfs.img"
mkfs.xfs -q -f -L acct-xfs "$WORK/xfs.img"
truncate -s 256M "$WORK/swap.img"
mkswap -q -L acct-swap "$WORK/swap.img" >/dev/null
T_IMAGES=$(dur "$t" "$(now)")

# ---- initramfs ----------------------------------------------------------------------------
t=$(now)
ST=$WORK/root
mkdir -p "$ST"
chmod 755 "$ST"     # becomes the guest's /; mktemp made $WORK 0700
(cd "$ST" && mkdir -p usr/bin usr/sbin usr/lib usr/lib64 usr/local/bin etc root proc sys dev tmp run mnt payload \
    && ln -s usr/bin bin && ln -s usr/sbin sbin && ln -s usr/lib lib && ln -s usr/lib64 lib64)  # merged /usr, as on Debian 12
chmod 700 "$ST/root"
chmod 1777 "$ST/tmp"

# copy_elf FILE: the shared libraries FILE needs (ldd), under the same paths, with the loader
copy_libs() {
    local out line lib
    out=$(ldd "$1" 2>&1) || return 0     # static, or not an executable of this host
    while IFS= read -r line; do
        case $line in
            *"not a dynamic executable"*|*"statically linked"*) return 0 ;;
            *"=> not found"*) die "$1 needs a library the host does not have: ${line%% =>*}" ;;
            *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
            *) lib=${line#"${line%%[![:space:]]*}"}; lib=${lib%% (*}; [[ $lib == /* ]] || continue ;;
        esac
        [ -e "$ST$lib" ] && continue
        mkdir -p "$ST$(dirname "$lib")"
        cp -L "$lib" "$ST$lib"
    done <<<"$out"
}
is_elf() { [ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ]; }

cp "$BUSYBOX" "$ST/usr/bin/busybox"
cp -L "$(command -v bash)" "$ST/usr/bin/bash"
copy_libs "$ST/usr/bin/bash"
ln -s busybox "$ST/usr/bin/sh"   # for /init's #!/bin/sh; /init makes the other applet links (busybox --install -s)
for p in "${HOSTBINS[@]}"; do
    src=$(command -v "$p") || die "--host-bin: $p not found on the host"
    cp -L "$src" "$ST/usr/local/bin/$(basename "$src")"
    copy_libs "$src"
done
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$ST/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > "$ST/etc/group"
echo acct-vm > "$ST/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\tacct-vm\n' > "$ST/etc/hosts"
: > "$ST/etc/fstab"
ln -s /proc/self/mounts "$ST/etc/mtab"
mkdir -p "$ST/var/tmp" "$ST/var/lib" "$ST/var/log" "$ST/var/cache"
chmod 1777 "$ST/var/tmp"
ln -s /run "$ST/var/run"

# the payload, and the libraries of every ELF file in it
cp -a "$PAYLOAD/." "$ST/payload/"
nelf=0
while IFS= read -r -d '' f; do
    if is_elf "$f"; then copy_libs "$f"; nelf=$((nelf + 1)); fi
done < <(find "$ST/payload" -type f -print0)
[ -d "$ST/payload/tests/integration" ] || say "warning: payload has no tests/integration/"

# kernel modules: the wanted ones and what modules.dep says they need; crc32c and the zram
# compressors are looked up through the crypto API (no modules.dep edge), so they are listed.
# modsel LIST MODULE...: prints "builtin M", "missing M" or "module M FILE..." per module
modsel() {
    awk -v want="$*" '
        function norm(p) { sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p }
        FNR == 1 { f++ }
        f == 1 { builtin[norm($0)] = 1; next }
        f == 2 { k = $1; sub(/:$/, "", k); dep[norm(k)] = $0; sub(/:/, "", dep[norm(k)]) }
        END {
            n = split(want, w, " ")
            for (i = 1; i <= n; i++) {
                m = norm(w[i])
                if (m in builtin) print "builtin " w[i]
                else if (m in dep) print "module " w[i] " " dep[m]
                else print "missing " w[i]
            }
        }' "$MODDIR/modules.builtin" "$MODDIR/modules.dep"
}
mkdir -p "$ST/etc/acct-vm" "$ST/lib/modules/$KVER"
builtin_list='' nko=0
addmods() {  # LISTFILE MODULE...: list what is to be modprobe'd, copy the .ko files
    local list=$1 kind m files f; shift
    : > "$list"
    while read -r kind m files; do
        case $kind in
            builtin) builtin_list+=" $m" ;;
            missing) say "warning: kernel $KVER has no module $m" ;;
            module)
                echo "$m" >> "$list"
                for f in $files; do
                    [ -e "$ST/lib/modules/$KVER/$f" ] && continue
                    mkdir -p "$ST/lib/modules/$KVER/$(dirname "$f")"
                    cp "$MODDIR/$f" "$ST/lib/modules/$KVER/$f"
                    nko=$((nko + 1))
                done ;;
        esac
    done < <(modsel "$@")
}
addmods "$ST/etc/acct-vm/modules.early" virtio_pci virtio_blk
addmods "$ST/etc/acct-vm/modules.late" crc32c_generic quota_v2 quota_tree libcrc32c xfs bfq zsmalloc lzo-rle lzo zram loop
echo "${builtin_list# }" > "$ST/etc/acct-vm/modules.builtin"
cp "$MODDIR"/modules.{builtin,builtin.modinfo,order} "$ST/lib/modules/$KVER/"
depmod -b "$ST" "$KVER"

install -m 755 "$HERE/guest-init.sh" "$ST/init"
INITRD=$WORK/initrd.cpio   # uncompressed: as fast to boot as gzip or lz4 here, and quicker to make
(cd "$ST" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) > "$INITRD"
T_INITRD=$(dur "$t" "$(now)")
say "initramfs: $(stat -c %s "$INITRD") bytes ($nko modules, $nelf ELF files in the payload) in $T_INITRD s; disk images in $T_IMAGES s"

# ---- boot -----------------------------------------------------------------------------------
ntests=${#TESTS[@]}
if [ "$ntests" = 0 ]; then
    if [ -f "$PAYLOAD/tests/ORDER" ]; then ntests=$(sed 's/#.*//' "$PAYLOAD/tests/ORDER" | grep -c '[^[:space:]]' || true)
    else ntests=$(find "$PAYLOAD/tests/integration" "$PAYLOAD/tests/security" -maxdepth 1 -name '*.sh' ! -name 'lib*.sh' 2>/dev/null | wc -l); fi
fi
[ -n "$TIMEOUT" ] || TIMEOUT=$((90 + ntests * TTIMEOUT))
cmdline="console=ttyS0 panic=-1 quiet loglevel=1 acct.swap=$SWAP acct.timeout=$TTIMEOUT acct.zram=$ZRAMSIZE"
if [ ${#TESTS[@]} -gt 0 ]; then cmdline+=" acct.only=$(IFS=,; echo "${TESTS[*]}")"; fi
[ $SHELL_MODE = 1 ] && cmdline+=" acct.shell=1"
[ -n "$APPEND" ] && cmdline+=" $APPEND"
qemu=("$QEMU" -accel "${ACCT_VM_ACCEL:-tcg}" -smp "$SMP" -m "$MEM" -nographic -no-reboot -nic none
      -kernel "$VMLINUZ" -initrd "$INITRD" -append "$cmdline"
      -drive "file=$WORK/ext4.img,if=virtio,format=raw,cache=unsafe"
      -drive "file=$WORK/xfs.img,if=virtio,format=raw,cache=unsafe"
      -drive "file=$WORK/swap.img,if=virtio,format=raw,cache=unsafe")
# qboot (shipped with qemu) starts the kernel ~0.4 s sooner than the default SeaBIOS under TCG
case ${ACCT_VM_BIOS:-qboot} in
    qboot) for b in /usr/share/qemu/qboot.rom /usr/share/qboot/bios.bin; do
               [ -f "$b" ] && { qemu+=(-bios "$b"); break; }
           done ;;
    seabios|default) ;;
    *) qemu+=(-bios "$ACCT_VM_BIOS") ;;
esac
if [ -n "${ACCT_VM_QEMU_OPTS:-}" ]; then read -ra extra <<<"$ACCT_VM_QEMU_OPTS"; qemu+=("${extra[@]}"); fi
if [ $SHELL_MODE = 1 ]; then
    say "interactive shell (kernel $KVER); the VM powers off when the shell exits"
    "${qemu[@]}"
    exit 0
fi

say "booting $KVER: swap=$SWAP, mem ${MEM} MiB, smp $SMP, $ntests test(s), VM timeout ${TIMEOUT} s"
t=$(now)
timeout -k 10 "$TIMEOUT" "${qemu[@]}" < /dev/null > "$CONSOLE" 2>&1 &
QPID=$!     # timeout(1), which kills its qemu at the deadline (and when we kill it)
[ $VERBOSE = 1 ] && tail -n +1 -f --pid="$QPID" "$CONSOLE" >&2 &
qrc=0; wait "$QPID" || qrc=$?
QPID=''
T_QEMU=$(dur "$t" "$(now)")

# ---- results ----------------------------------------------------------------------------------
# the console has \r\n line ends and SeaBIOS's terminal escapes
sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' -e 's/\x1b[=>c]//g' "$CONSOLE" \
    | awk '/ACCT-VM-TAP-BEGIN$/ { on = 1; next } /^ACCT-VM-TAP-END$/ { end = 1; on = 0 } on { print }
           END { if (!end) print "Bail out! the VM stopped before the end of the TAP (see vm-console.log)" }' > "$TAP"
cat "$TAP"

fail=0 why=()
plan=$(grep -m1 -E '^1\.\.[0-9]+$' "$TAP" | cut -d. -f3 || true)
nres=$(grep -cE '^(not )?ok [0-9]+' "$TAP" || true)
nfail=$(grep -cE '^not ok [0-9]+' "$TAP" || true)
nskip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$TAP" || true)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then fail=1; why+=("qemu timed out after ${TIMEOUT} s and was killed"); 
elif [ "$qrc" != 0 ]; then fail=1; why+=("qemu exited with status $qrc"); fi
if [ -z "$plan" ]; then fail=1; why+=("no TAP plan in the console log")
elif [ "$nres" != "$plan" ]; then fail=1; why+=("TAP incomplete: $nres of $plan results"); fi
grep -q '^Bail out!' "$TAP" && { fail=1; why+=("the guest did not reach the end of its run"); }
[ "$nfail" -gt 0 ] && { fail=1; why+=("$nfail test(s) failed"); }
guest=$(sed -n 's/.*summary: .*tests took \([0-9.]*\) s; uptime \([0-9.]*\) s$/\1 \2/p' "$TAP")
[ -n "$guest" ] || guest="? ?"
ready=$(sed -n 's/.*set-up done at \([0-9.]*\) s$/\1/p' "$TAP")
echo "$ME: swap=$SWAP: $((nres - nfail - nskip)) passed, $nfail failed, $nskip skipped of ${plan:-?}"
echo "$ME: timing: VM stage $(dur "$T_START" "$(now)") s = images $T_IMAGES s + initramfs $T_INITRD s + qemu $T_QEMU s" \
     "(guest set-up done at ${ready:-?} s of uptime, tests ${guest%% *} s, powered off at ${guest##* } s of uptime)"
echo "$ME: TAP in $TAP, console in $CONSOLE"
if [ $fail = 1 ]; then
    for w in "${why[@]}"; do echo "$ME: FAIL: $w" >&2; done
    exit 1
fi
exit 0
