#!/bin/bash
# cpulimit=25 on a busy loop: the kernel's own CPU accounting for the
# container shows about a quarter of one CPU; raising it takes effect live.
. "$(dirname "$0")/lib.sh"
require_cgroups
start_daemon

measure() {	# CT SECONDS -> CPU share of one CPU, from the cgroup's accounting
	local u0 u1 t0 t1
	u0=$(cpu_usage_usec "$(ctcg "$1")")
	t0=$(awk '{ print $1 }' /proc/uptime)
	actl exec "$1" -- "$HELPERS/cpuburn" "$2" > /dev/null || fail "cpuburn"
	t1=$(awk '{ print $1 }' /proc/uptime)
	u1=$(cpu_usage_usec "$(ctcg "$1")")
	awk -v u=$((u1 - u0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", u / 1e6 / (b - a) }'
}

actl create 102 --cpulimit 25 || fail "create"
[ "$(cpu_quota_pct "$(ctcg 102)")" = 25 ] || fail "quota is $(cpu_quota_pct "$(ctcg 102)")%"
share=$(measure 102 3)
note "cpulimit=25: the container used $share of a CPU"
awk -v s="$share" 'BEGIN { exit !(s > 0.15 && s < 0.30) }' ||
    fail "cpulimit=25 gave $share of a CPU, expected about 0.25"
pass "cpulimit=25 holds a busy loop to $share of a CPU"

actl set 102 --cpulimit 60 || fail "set --cpulimit 60"
share=$(measure 102 3)
note "cpulimit=60: the container used $share of a CPU"
awk -v s="$share" 'BEGIN { exit !(s > 0.40 && s < 0.66) }' ||
    fail "cpulimit=60 gave $share of a CPU, expected about 0.6"
pass "raised live to cpulimit=60: $share of a CPU"
