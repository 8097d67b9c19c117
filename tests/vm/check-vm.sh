#!/bin/bash
# check-vm.sh --payload DIR [--modes "disk zram"] [--out DIR] [-- RUN-VM-OPTIONS...]
#
# The entry point of `make check-vm`: runs prepare.sh, then one VM boot per swap mode
# (tests/vm/run-vm.sh --swap MODE), one after the other, and sums the results up.
#
#   --payload DIR   the payload (bin/, tests/integration/, optional tests/ORDER)
#   --modes LIST    swap modes to boot, blank separated, each of none|disk|zram, with an
#                   optional ":TEST,TEST..." to run only those tests in that boot
#                   ("disk zram:swap,vswap": every test with swap on disk, two on zram);
#                   MODE@v1 boots with cgroup v1 hierarchies instead of v2 (acct.cgroup=v1)
#                   (default: "disk": the swap disk is on, so memory.swap.* limits mean
#                   something; a test that wants no swap sets memory.swap.max=0 in its
#                   cgroup.  zram is loaded in every mode.)
#   --out DIR       results: DIR/<mode>/vm-results.tap and vm-console.log, DIR/summary.txt
#                   (default ./vm-results)
#   --jobs N        boot up to N modes at the same time (default 1).  2 VMs on 2 cores
#                   nearly halve the wall time of tests that mostly wait, but CPU-bound
#                   and timing-sensitive tests (cpu.max ratios) then share the host cores.
#   -- ...          everything after -- goes to run-vm.sh (--test, --test-timeout, --mem, ...)
#
# Environment: as for run-vm.sh (ACCT_VM_CACHE, ACCT_VM_REQUIRE=1, ...); VM_MODES is the
# default for --modes.
# Exit status: 0 every boot passed, skips only those on tests/expected-skips.txt (a mode
# with skips is reported as "N SKIPPED", not PASS); 1 a test failed, skipped unexpectedly or
# a boot went wrong;
# 2 usage error; 77 the VM stage is unavailable here (no qemu / kernel / apt).
set -euo pipefail

ME=check-vm
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "$ME: error: $*" >&2; exit 2; }
now() { date +%s.%N; }
dur() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

PAYLOAD='' MODES=${VM_MODES:-disk} OUT=$PWD/vm-results PASS=() JOBS=1
while [ $# -gt 0 ]; do
    case $1 in
        --payload) [ $# -ge 2 ] || die "--payload needs a value"; PAYLOAD=$2; shift ;;
        --modes)   [ $# -ge 2 ] || die "--modes needs a value"; MODES=$2; shift ;;
        --out)     [ $# -ge 2 ] || die "--out needs a value"; OUT=$2; shift ;;
        --jobs)    [ $# -ge 2 ] || die "--jobs needs a value"; JOBS=$2; shift ;;
        --)        shift; PASS=("$@"); break ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option: $1 (see --help; run-vm.sh options go after --)" ;;
    esac
    shift
done
[ -n "$PAYLOAD" ] || die "--payload DIR is required"
[ -d "$PAYLOAD" ] || die "payload $PAYLOAD is not a directory"
read -ra entries <<<"$MODES"
[ ${#entries[@]} -gt 0 ] || die "--modes is empty"
modes=()
declare -A ONLY=()
for e in "${entries[@]}"; do
    m=${e%%:*}
    case $m in none|disk|zram|none@v1|disk@v1|zram@v1) ;; *) die "unknown swap mode: $m (accepted: none, disk, zram, each optionally @v1)" ;; esac
    modes+=("$m")
    if [ "$e" != "$m" ]; then
        [ -n "${e#*:}" ] || die "no test named after $m:"
        ONLY[$m]=${e#*:}
    fi
done
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "bad --jobs: $JOBS"
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

# the boots run as background jobs, so that a signal reaches the trap at once: INT or TERM
# is passed on as TERM to the run-vm.sh still running (each then stops its own qemu)
declare -A RPID=() T_BEGIN=() RC=() DUR=()
# shellcheck disable=SC2317  # (called through the traps)
stop_all() { local p; for p in "${!RPID[@]}"; do kill "$p" 2>/dev/null || true; done; wait || true; exit "$1"; }
trap 'stop_all 130' INT
trap 'stop_all 143' TERM
start_mode() {
    local m=$1 t only=() cg=()
    if [ -n "${ONLY[$m]:-}" ]; then
        for t in ${ONLY[$m]//,/ }; do only+=(--test "$t"); done
    fi
    # MODE@v1: the same swap, cgroup v1 hierarchies in the guest
    [ "${m#*@}" = v1 ] && cg=(--append acct.cgroup=v1)
    mkdir -p "$OUT/$m"
    T_BEGIN[$m]=$(now)
    if [ "$JOBS" = 1 ]; then
        echo "$ME: ==== swap mode $m ===="
        bash "$HERE/run-vm.sh" --payload "$PAYLOAD" --swap "${m%@*}" --out "$OUT/$m" --no-prepare "${cg[@]}" "${PASS[@]}" "${only[@]}" &
    else
        echo "$ME: ==== swap mode $m: started (its output follows when it is done) ===="
        bash "$HERE/run-vm.sh" --payload "$PAYLOAD" --swap "${m%@*}" --out "$OUT/$m" --no-prepare "${cg[@]}" "${PASS[@]}" "${only[@]}" \
            > "$OUT/$m/run-vm.out" 2>&1 &
    fi
    RPID[$!]=$m
}
reap_one() {
    local p='' rc=0 m
    wait -n -p p "${!RPID[@]}" || rc=$?
    m=${RPID[$p]}
    unset "RPID[$p]"
    RC[$m]=$rc DUR[$m]=$(dur "${T_BEGIN[$m]}" "$(now)")
    if [ "$JOBS" != 1 ]; then
        echo "$ME: ==== swap mode $m ===="
        cat "$OUT/$m/run-vm.out"; rm -f "$OUT/$m/run-vm.out"
    fi
}
for m in "${modes[@]}"; do
    while [ ${#RPID[@]} -ge "$JOBS" ]; do reap_one; done
    start_mode "$m"
done
while [ ${#RPID[@]} -gt 0 ]; do reap_one; done

summary=() worst=0 tp=0 tf=0 ts=0
for m in "${modes[@]}"; do
    rc=${RC[$m]} d=${DUR[$m]}
    tap=$OUT/$m/vm-results.tap
    p=0 f=0 s=0
    if [ -f "$tap" ]; then
        s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$tap" || true)
        p=$(( $(grep -cE '^ok [0-9]+' "$tap" || true) - s ))
        f=$(grep -cE '^not ok [0-9]+' "$tap" || true)
    fi
    tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
    case $rc in
        0) if [ "$s" = 0 ]; then res=PASS; else res="$s SKIPPED"; fi ;;
        77) res=UNAVAILABLE ;;
        *) res="FAIL (run-vm exit $rc)" ;;
    esac
    summary+=("$(printf '%-5s %-24s %3d passed %3d failed %3d skipped  %6s s' "$m" "$res" "$p" "$f" "$s" "$d")")
    if [ "$rc" = 77 ]; then [ $worst = 0 ] && worst=77
    elif [ "$rc" != 0 ]; then worst=1; fi
done

{
    echo "$ME: payload $PAYLOAD, kernel $(sed -n 's/^kver=//p' "${ACCT_VM_CACHE:-/var/cache/accountd-vm}/kernel.info" 2>/dev/null)"
    for l in "${summary[@]}"; do echo "$ME: $l"; done
    echo "$ME: prepare $T_PREP s; VM stage total $(dur "$T0" "$(now)") s"
} | tee "$OUT/summary.txt"
echo "$tp passed, $tf failed, $ts skipped"
# a skip is no pass: each is named, and one not on tests/expected-skips.txt
# fails the stage (as scripts/check.sh judges the host's)
if [ "$ts" -gt 0 ]; then
    for m in "${modes[@]}"; do
        sed -n "s/^ok [0-9]* - \([^ ]*\) # SKIP *\(.*\)\$/$ME: $m: SKIP \1: \2/p" \
            "$OUT/$m/vm-results.tap" 2>/dev/null || true
    done
    skips=$HERE/../../scripts/check-skips.sh
    if [ -f "$skips" ]; then
        if ! bash "$skips" --vm "$OUT" > "$OUT/skips.txt" 2>&1; then
            grep 'UNEXPECTED' "$OUT/skips.txt" | sed "s/^/$ME: /"
            [ $worst = 77 ] || worst=1
        fi
    else
        echo "$ME: no $skips to judge the skips: counted as failures" >&2
        worst=1
    fi
fi
exit $worst
