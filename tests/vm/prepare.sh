#!/bin/bash
# prepare.sh [--refresh] [--print-env]
#
# Makes the host ready for tests/vm/run-vm.sh:
#   * installs the Debian packages the VM stage needs, only those that are missing
#     (qemu-system-x86 busybox-static kmod xfsprogs e2fsprogs, --no-install-recommends);
#   * fetches Debian's cloud kernel (the linux-image-<abi>-cloud-amd64 package that the
#     metapackage linux-image-cloud-amd64 depends on) with `apt-get download`, unpacks it
#     with dpkg-deb -x (it is never installed on the host) and runs depmod on the tree.
#
# Everything is cached in $ACCT_VM_CACHE (default /var/cache/accountd-vm):
#   debs/<package>.deb     the downloaded kernel package
#   kernels/<kver>/        the unpacked tree (boot/vmlinuz-<kver>, lib/modules/<kver>/ with modules.dep)
#   kernel -> kernels/<kver>   the kernel run-vm.sh uses
#   kernel.info            kver, package, version, sha256 of the .deb
# A second run finds everything in place and touches neither apt nor the network.
# --refresh runs `apt-get update`, re-resolves the metapackage and fetches a newer ABI
# if there is one (older cached kernels are then removed).
# --print-env prints KVER=, KROOT=, VMLINUZ= lines for the cached kernel and exits.
#
# Exit status: 0 ready; 77 the VM stage cannot be had on this host (not Debian/apt,
# not root and packages missing, download impossible); 1 any other error.
set -euo pipefail

ME=prepare
CACHE=${ACCT_VM_CACHE:-/var/cache/accountd-vm}
META=linux-image-cloud-amd64
PKGS="qemu-system-x86 busybox-static kmod xfsprogs e2fsprogs"
APT_OPTS=(-q -o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root)

refresh=0 print_env=0
for a in "$@"; do
    case $a in
        --refresh) refresh=1 ;;
        --print-env) print_env=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$ME: unknown option: $a" >&2; exit 1 ;;
    esac
done

say()   { echo "$ME: $*"; }
die()   { echo "$ME: error: $*" >&2; exit 1; }
unavail() { echo "$ME: VM stage unavailable: $*" >&2; exit 77; }
now()   { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

print_kernel_env() {
    local kroot kver
    kroot=$(readlink -f "$CACHE/kernel") || return 1
    [ -f "$kroot/.ready" ] || return 1
    kver=$(basename "$kroot")
    echo "KVER=$kver"
    echo "KROOT=$kroot"
    echo "VMLINUZ=$kroot/boot/vmlinuz-$kver"
}

if [ $print_env = 1 ]; then
    print_kernel_env || { echo "$ME: no prepared kernel in $CACHE" >&2; exit 77; }
    exit 0
fi

T0=$(now)
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    unavail "no dpkg/apt-get here (the VM stage is set up from Debian packages)"
fi

# ---- packages ---------------------------------------------------------------
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
apt_updated=0
apt_update() {
    [ $apt_updated = 1 ] && return 0
    say "apt-get update"
    local i
    for i in 1 2 3 4 5; do   # the lists lock is not covered by DPkg::Lock::Timeout
        apt-get "${APT_OPTS[@]}" update >/dev/null && { apt_updated=1; return 0; }
        say "apt-get update failed (try $i), retrying in 10 s"; sleep 10
    done
    return 1
}
missing=()
for p in $PKGS; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} = 0 ]; then
    say "packages: all present ($PKGS)"
else
    [ "$(id -u)" = 0 ] || unavail "missing packages: ${missing[*]} (run as root or install them)"
    t=$(now)
    say "installing: ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null; then
        apt_update || unavail "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null \
            || unavail "apt-get install ${missing[*]} failed"
    fi
    say "installed ${missing[*]} in $(since "$t") s"
fi

# ---- kernel -----------------------------------------------------------------
mkdir -p "$CACHE" 2>/dev/null || unavail "cannot create cache dir $CACHE (set ACCT_VM_CACHE)"
[ -w "$CACHE" ] || unavail "cache dir $CACHE is not writable (set ACCT_VM_CACHE)"
exec 9>"$CACHE/.lock"
flock -w 900 9 || die "could not lock $CACHE/.lock within 900 s"

if [ $refresh = 0 ] && print_kernel_env >/dev/null; then
    kroot=$(readlink -f "$CACHE/kernel")
    say "kernel: cached $(basename "$kroot") ($(sed -n 's/^version=//p' "$CACHE/kernel.info" 2>/dev/null)) in $kroot"
    say "ready in $(since "$T0") s (nothing downloaded)"
    exit 0
fi

[ $refresh = 1 ] && { apt_update || unavail "apt-get update failed"; }
resolve() { apt-cache depends "$META" 2>/dev/null | sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n1; }
pkg=$(resolve)
if [ -z "$pkg" ]; then
    apt_update || unavail "apt-get update failed"
    pkg=$(resolve)
fi
[ -n "$pkg" ] || unavail "apt-cache cannot resolve $META to a linux-image-<abi>-cloud-amd64 package"
kver=${pkg#linux-image-}
kroot=$CACHE/kernels/$kver
say "kernel: $META -> $pkg"

if [ ! -f "$kroot/.ready" ]; then
    mkdir -p "$CACHE/debs"
    deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort -V | tail -n1)
    if [ -z "$deb" ]; then
        t=$(now)
        tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
        (cd "$tmp" && apt-get "${APT_OPTS[@]}" download "$pkg" >/dev/null 2>&1) \
            || { apt_update && (cd "$tmp" && apt-get "${APT_OPTS[@]}" download "$pkg" >/dev/null); } \
            || { rm -rf "$tmp"; unavail "apt-get download $pkg failed"; }
        mv "$tmp"/*.deb "$CACHE/debs/"
        rmdir "$tmp"
        deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort -V | tail -n1)
        say "downloaded $(basename "$deb") ($(stat -c %s "$deb") bytes) in $(since "$t") s"
    else
        say "using cached $(basename "$deb")"
    fi
    t=$(now)
    rm -rf "$kroot" "$kroot.tmp"
    mkdir -p "$kroot.tmp"
    dpkg-deb -x "$deb" "$kroot.tmp"
    [ -f "$kroot.tmp/boot/vmlinuz-$kver" ] || die "$deb has no boot/vmlinuz-$kver"
    # the .deb ships no modules.dep (its postinst makes it)
    depmod -b "$kroot.tmp" "$kver"
    version=$(dpkg-deb -f "$deb" Version)
    printf 'kver=%s\npackage=%s\nversion=%s\ndeb=%s\nsha256=%s\n' "$kver" "$pkg" "$version" \
        "$(basename "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)" > "$kroot.tmp/.info"
    touch "$kroot.tmp/.ready"
    mv "$kroot.tmp" "$kroot"
    say "unpacked and depmod'ed $kver ($(du -sm "$kroot" | cut -f1) MB) in $(since "$t") s"
fi
ln -sfn "kernels/$kver" "$CACHE/kernel"
cp "$kroot/.info" "$CACHE/kernel.info"

# keep the disk use bounded: drop kernels and debs other than the current one
for d in "$CACHE"/kernels/*; do
    [ -d "$d" ] && [ "$(basename "$d")" != "$kver" ] && { say "removing old kernel $(basename "$d")"; rm -rf "$d"; }
done
for f in "$CACHE"/debs/*.deb; do
    [ -f "$f" ] && [ "$(basename "$f")" != "$(sed -n 's/^deb=//p' "$CACHE/kernel.info")" ] && rm -f "$f"
done
say "kernel: $kver ($(sed -n 's/^version=//p' "$CACHE/kernel.info")) ready in $kroot"
say "ready in $(since "$T0") s"
