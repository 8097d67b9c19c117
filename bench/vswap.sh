#!/bin/bash
# Benchmark: VSwap (docs/vswap.md).  A workload writes N MiB and reads it
# back in a container with RAM=R and SWAP=S:
#   N < R        run time within 3 % of the same workload without limits
#   R < N < R+S  extra time = vswap traffic / rate: the push past RAM,
#                (N-R)/rate, plus what reading back was charged; at two
#                rates, so the figure follows the model; no swap I/O on a
#                host without swap
#   N > R+S      OOM kill in the container; swappages and oomguarpages
#                failcnt +1 each; an alert
# bench/vswap.sh [R_MIB S_MIB]      (default 256 512)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
B=${ACCT_BUILDDIR:-$here/../_build}
ACCOUNTD=${ACCOUNTD:-$B/accountd/accountd}
ACCTCTL=${ACCTCTL:-$B/cli/acctctl}
LOAD=${VSWAPLOAD:-$B/tests/helpers/vswapload}
R=${1:-256} S=${2:-512}
[ "$(id -u)" = 0 ] || { echo "vswap: needs root"; exit 77; }
T=$(mktemp -d /tmp/acctd-bench.XXXXXX)
P=acctd-bench-vswap-$$
"$ACCOUNTD" -d -o run_dir="$T/run" -o state_dir="$T/state" -o ct_conf_dir="$T/ct" \
    -o cgroup_parent="$P" -o log_level=warn 2> "$T/log" &
D=$!
cleanup() {
	kill "$D" 2> /dev/null; wait "$D" 2> /dev/null
	for d in /sys/fs/cgroup/*/"$P" /sys/fs/cgroup/"$P"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2> /dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
export ACCTCTL_SOCKET=$T/run/accountd.sock
for _ in $(seq 100); do "$ACCTCTL" status > /dev/null 2>&1 && break; sleep 0.05; done
swaps=$(awk 'NR > 1 { print $1 }' /proc/swaps | tr '\n' ' ')

run() {	# CT N -> seconds (median of RUNS)
	local ct=$1 n=$2 i out ts=()
	for i in $(seq "${RUNS:-3}"); do
		out=$("$ACCTCTL" exec "$ct" -- "$LOAD" "$n" 2>&1) || { echo "killed"; return; }
		ts+=("$(sed -n 's/.*total=\([0-9.]*\).*/\1/p' <<< "$out")")
	done
	printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(( (${#ts[@]} + 1) / 2 ))p"
}
fresh() {	# CT OPTIONS...: a new container
	"$ACCTCTL" destroy "$1" --force > /dev/null 2>&1
	"$ACCTCTL" create "$@" > /dev/null || exit 1
}
vs() {	# field of show -j's vswap
	"$ACCTCTL" -j show vs | awk -v k="\"$1\"" '$1 == k":" { gsub(/,/, "", $2); print $2 }'
}

# under RAM: the two containers run in turn, many times (the machine is
# shared and noisy), and the medians are compared
# A second unlimited container measures the noise of the machine itself.
fresh base
fresh base2
fresh vs --ram "${R}M" --swap "${S}M"
mode=$("$ACCTCTL" -j show vs | sed -n 's/.*"mode": "\([a-z]*\)".*/\1/p')
echo "cgroup $([ -f /sys/fs/cgroup/cgroup.controllers ] && echo v2 || echo v1)," \
    "host swap: ${swaps:-none}, vswap $mode mode, RAM=${R}M SWAP=${S}M"
N1=$((R * 3 / 4))
: > "$T/b1"; : > "$T/c1"; : > "$T/m1"
for _ in $(seq 11); do
	RUNS=1 run vs "$N1" >> "$T/m1"
	RUNS=1 run base "$N1" >> "$T/b1"
	RUNS=1 run base2 "$N1" >> "$T/c1"
done
b1=$(sort -n "$T/b1" | sed -n 6p)
c1=$(sort -n "$T/c1" | sed -n 6p)
m1=$(sort -n "$T/m1" | sed -n 6p)
printf '\n%-22s %6s %9s %9s %9s  %s\n' case N rate base_s run_s result
awk -v b="$b1" -v c="$c1" -v m="$m1" -v n="$N1" 'BEGIN {
	printf "%-22s %5dM %9s %9.3f %9.3f  %+.1f %% (budget: within 3 %%; two " \
	    "identical unlimited containers differ by %+.1f %% here)\n",
	    "under RAM", n, "-", b, m, (m - b) / b * 100, (c - b) / b * 100 }'

N2=$((R + S / 2))
b2=$(RUNS=3 run base "$N2")
pswp0=$(awk '$1 == "pswpout" { print $2 }' /proc/vmstat)
if [ "$mode" = kernel ]; then
	# the kernel's own swapping costs time before accountd adds any:
	# measured with the slowdown off (vswaprate 0)
	fresh vs --ram "${R}M" --swap "${S}M" --vswaprate 0
	k2=$(RUNS=1 run vs "$N2")
	awk -v b="$b2" -v k="$k2" -v n="$N2" 'BEGIN {
		printf "%-22s %5dM %9s %9.3f %9.3f  the kernel alone (no " \
		    "slowdown): +%.2f s\n", "past RAM, rate 0", n, "-", b, k, k - b }'
fi
for rate in 100 50; do
	fresh vs --ram "${R}M" --swap "${S}M" --vswaprate "${rate}M"
	m2=$(RUNS=1 run vs "$N2")
	in=$(vs in) out=$(vs out) slowed=$(vs slowed_us) stall=$(vs kernel_stall_us)
	awk -v b="$b2" -v m="$m2" -v n="$N2" -v r="$R" -v rate="$rate" \
	    -v in_="${in:-0}" -v out="${out:-0}" -v sl="${slowed:-0}" \
	    -v st="${stall:-0}" 'BEGIN {
		mib = 1048576; rb = rate * mib
		push = (n - r) * mib / rb
		charged = (in_ + out) / rb
		# kernel mode: the stall of the kernel swapping counts too
		model = charged > st / 1e6 ? charged : st / 1e6
		extra = m - b
		# reading all N once brings N-R in and pushes as much out
		ideal = 2 * push
		printf "%-22s %5dM %6dM/s %9.3f %9.3f  extra %.2f s; model: push " \
		    "(N-R)/rate %.2f s + read-back %.2f s = %.2f s; error %+.0f " \
		    "%% (budget 20 %%); frozen %.2f s, kernel swap stall %.2f s; " \
		    "read-back charged %+.0f %% against every byte above RAM " \
		    "in and out once (%.2f s)\n",
		    "past RAM", n, rate, b, m, extra, push, charged - push,
		    charged, (model > 0 ? (extra - model) / model * 100 : 0),
		    sl / 1e6, st / 1e6, (charged - push - ideal) / ideal * 100,
		    ideal }'
done
pswp1=$(awk '$1 == "pswpout" { print $2 }' /proc/vmstat)
echo "host swap-outs during these runs: $((pswp1 - pswp0)) pages"

N3=$((R + S + R / 2))
fresh vs --ram "${R}M" --swap "${S}M"
"$ACCTCTL" events -f -j vs > "$T/events" 2>&1 &
E=$!
sleep 0.3
fc() { "$ACCTCTL" ubc --resources vs | awk -v r="$1" '$0 ~ " "r" " { print $NF }'; }
s0=$(fc swappages) o0=$(fc oomguarpages)
"$ACCTCTL" exec vs -- "$LOAD" "$N3" > /dev/null 2>&1
rc=$?
sleep 1.5
s1=$(fc swappages) o1=$(fc oomguarpages)
kill "$E" 2> /dev/null
printf '%-22s %5dM %9s %9s %9s  exit %d%s; swappages failcnt %s->%s, oomguarpages failcnt %s->%s; alerts: %s\n' \
    "past RAM+SWAP" "$N3" - - - "$rc" "$([ "$rc" = 137 ] && echo ' (OOM kill)')" \
    "$s0" "$s1" "$o0" "$o1" "$(grep -o '"resource":"[a-z]*"' "$T/events" | sort -u | tr '\n' ' ')"
