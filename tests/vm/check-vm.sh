#!/bin/bash
# check-vm.sh --payload DIR [--modes "disk zram"] [--out DIR] [-- RUN-VM-OPTIONS...]
#
# The entry point of `make check-vm`: runs prepare.sh, then one VM boot per swap mode
# (tests/vm/run-vm.sh --swap MODE), one after the other, and sums the results up.
#
#   --payload DIR   the payload (bin/, tests/integration/, optional tests/ORDER)
#   --modes LIST    swap modes to boot, blank or comma separated, each of none|disk|zram
#                   (default: "disk": the swap disk is on, so memory.swap.* limits mean
#                   something; a test that wants no swap sets memory.swap.max=0 in its
#                   cgroup.  zram is loaded in every mode.)
#   --out DIR       results: DIR/<mode>/vm-results.tap and vm-console.log, DIR/summary.txt
#                   (default ./vm-results)
#   -- ...          everything after -- goes to run-vm.sh (--test, --test-timeout, --mem, ...)
#
# Environment: as for run-vm.sh (ACCT_VM_CACHE, ACCT_VM_REQUIRE=1, ...); VM_MODES is the
# default for --modes.
# Exit status: 0 every boot passed (skips allowed); 1 a test failed or a boot went wrong;
# 2 usage error; 77 the VM stage is unavailable here (no qemu / kernel / apt).
set -euo pipefail

ME=check-vm
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "$ME: error: $*" >&2; exit 2; }
now() { date +%s.%N; }
dur() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

PAYLOAD='' MODES=${VM_MODES:-disk} OUT=$PWD/vm-results PASS=()
while [ $# -gt 0 ]; do
    case $1 in
        --payload) [ $# -ge 2 ] || die "--payload needs a value"; PAYLOAD=$2; shift ;;
        --modes)   [ $# -ge 2 ] || die "--modes needs a value"; MODES=$2; shift ;;
        --out)     [ $# -ge 2 ] || die "--out needs a value"; OUT=$2; shift ;;
        --)        shift; PASS=("$@"); break ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option: $1 (see --help; run-vm.sh options go after --)" ;;
    esac
    shift
done
[ -n "$PAYLOAD" ] || die "--payload DIR is required"
[ -d "$PAYLOAD" ] || die "payload $PAYLOAD is not a directory"
read -ra modes <<<"${MODES//,/ }"
[ ${#modes[@]} -gt 0 ] || die "--modes is empty"
for m in "${modes[@]}"; do case $m in none|disk|zram) ;; *) die "unknown swap mode: $m" ;; esac; done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

T0=$(now)
rc=0; bash "$HERE/prepare.sh" || rc=$?
T_PREP=$(dur "$T0" "$(now)")
if [ $rc = 77 ]; then
    if [ "${ACCT_VM_REQUIRE:-0}" = 1 ]; then echo "$ME: error: VM stage unavailable and ACCT_VM_REQUIRE=1" >&2; exit 99; fi
    echo "$ME: SKIP: the VM stage is unavailable on this host (see the prepare message above)" >&2
    exit 77
fi
[ $rc = 0 ] || { echo "$ME: error: prepare.sh failed (exit $rc)" >&2; exit 1; }

summary=() worst=0 tp=0 tf=0 ts=0
for m in "${modes[@]}"; do
    echo "$ME: ==== swap mode $m ===="
    t=$(now)
    rc=0; bash "$HERE/run-vm.sh" --payload "$PAYLOAD" --swap "$m" --out "$OUT/$m" --no-prepare "${PASS[@]}" || rc=$?
    d=$(dur "$t" "$(now)")
    tap=$OUT/$m/vm-results.tap
    p=0 f=0 s=0
    if [ -f "$tap" ]; then
        s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$tap" || true)
        p=$(( $(grep -cE '^ok [0-9]+' "$tap" || true) - s ))
        f=$(grep -cE '^not ok [0-9]+' "$tap" || true)
    fi
    tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
    case $rc in
        0) res=PASS ;;
        77) res=UNAVAILABLE ;;
        *) res="FAIL (run-vm exit $rc)" ;;
    esac
    summary+=("$(printf '%-5s %-24s %3d passed %3d failed %3d skipped  %6s s' "$m" "$res" "$p" "$f" "$s" "$d")")
    if [ $rc = 77 ]; then [ $worst = 0 ] && worst=77
    elif [ $rc != 0 ]; then worst=1; fi
done

{
    echo "$ME: payload $PAYLOAD, kernel $(sed -n 's/^kver=//p' "${ACCT_VM_CACHE:-/var/cache/accountd-vm}/kernel.info" 2>/dev/null)"
    for l in "${summary[@]}"; do echo "$ME: $l"; done
    echo "$ME: prepare $T_PREP s; VM stage total $(dur "$T0" "$(now)") s"
} | tee "$OUT/summary.txt"
echo "$tp passed, $tf failed, $ts skipped"
exit $worst
