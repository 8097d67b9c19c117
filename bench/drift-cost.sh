#!/bin/bash
# Benchmark: what following limits for drift (accountd/drift.c) adds to
# sampling.  bench/sampling.sh with every container's limits applied
# (ACCT_BENCH_LIMITS=1), run alternately with a build without drift
# detection and with this one, in one run; prints each run, the medians
# and the ratio.  Budget: <= 1.10 (10 % more per container per sample).
#   bench/drift-cost.sh BASE_BUILDDIR [N] [SECONDS] [ROUNDS]
# BASE_BUILDDIR: a build of the tree before drift detection, e.g.
#   git archive ccc9559 | tar -x -C _build-base/src &&
#   (cd _build-base/src && scripts/build.sh _build && make -C _build bench/sample-floor)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
NEW=${ACCT_BUILDDIR:-$here/../_build}
BASE=${1:?usage: drift-cost.sh BASE_BUILDDIR [N] [SECONDS] [ROUNDS]}
N=${2:-1000}
S=${3:-20}
ROUNDS=${4:-2}
[ "$(id -u)" = 0 ] || { echo "drift-cost: needs root"; exit 77; }
for b in "$BASE" "$NEW"; do
	[ -x "$b/accountd/accountd" ] && [ -x "$b/bench/sample-floor" ] ||
	    { echo "drift-cost: $b lacks accountd or bench/sample-floor"; exit 1; }
done
declare -A res=()
for r in $(seq 1 "$ROUNDS"); do
	for which in base new; do
		b=$BASE; [ "$which" = new ] && b=$NEW
		v=$(ACCT_BUILDDIR=$b ACCT_BENCH_LIMITS=1 bash "$here/sampling.sh" "$N" "$S" |
		    awk '/^accountd:/ { print $2 }')
		echo "round $r $which: $v us per container per sample"
		res[$which]="${res[$which]:-} $v"
	done
done
med() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ a[NR] = $1 } END {
	print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mb=$(echo "${res[base]}" | med)
mn=$(echo "${res[new]}" | med)
awk -v b="$mb" -v n="$mn" -v c="$N" 'BEGIN {
	printf "without drift detection: %.2f us per container per sample (median, %d containers with limits)\n", b, c
	printf "with drift detection:    %.2f us per container per sample (median)\n", n
	printf "ratio: %.3f (budget <= 1.10)\n", n / b
}'
