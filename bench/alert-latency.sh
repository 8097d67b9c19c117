#!/bin/bash
# Benchmark: from a kernel failure counter changing to accountd's alert
# reaching a client (acctctl events -f's path), with a real memory hog
# OOM-killed at ram and a real fork loop held by numproc.  Beside each, in
# the same run, the floor: a bare waiter on the kernel's own notification
# (v1 OOM: an eventfd; v2: inotify) that then reads the counter; v1
# pids.events sends none (accountd polls it every pids_poll_interval).
# Goal (issue 17): p99 <= 5 ms.   bench/alert-latency.sh [RUNS]   (default 40)
set -euo pipefail
B=${ACCT_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)/_build}
RUNS=${1:-40}
[ "$(id -u)" = 0 ] || { echo "alert-latency: needs root"; exit 77; }
R=/sys/fs/cgroup
v2=false; [ -f $R/cgroup.controllers ] && v2=true
T=$(mktemp -d /tmp/acctd-bench.XXXXXX)
P=acctd-bench-alerts-$$
"$B/accountd/accountd" -d -o run_dir="$T/run" -o state_dir="$T/state" \
    -o ct_conf_dir="$T/ct" -o cgroup_parent="$P" -o log_level=err 2> "$T/log" &
D=$!
# (|| true: under set -e a failing command in the trap becomes the script's
# exit status, and only one of the v1 and v2 paths exists)
trap 'kill $D 2>/dev/null; wait $D 2>/dev/null; rmdir $R/*/$P/lat $R/*/$P $R/$P/lat $R/$P 2>/dev/null || true; rm -rf "$T"' EXIT
export ACCTCTL_SOCKET=$T/run/accountd.sock
for _ in $(seq 100); do "$B/cli/acctctl" status > /dev/null 2>&1 && break; sleep 0.05; done
"$B/cli/acctctl" create lat --ram 32M --swap 0 --numproc 10
if $v2; then mem=$R/$P/lat/memory.events; oomkey=oom_kill; pids=$R/$P/lat/pids.events
else mem=$R/memory/$P/lat/memory.oom_control; oomkey=oom_kill; pids=$R/pids/$P/lat/pids.events; fi
H=$B/tests/helpers
echo "cgroup $($v2 && echo v2 || echo v1), $RUNS runs each; goal p99 <= 5 ms"
memfloor=$($v2 && echo inotify || echo eventfd)
pidsfloor=$($v2 && echo inotify || echo none)
ALERT_FLOOR=$memfloor "$B/bench/alert-latency" "$ACCTCTL_SOCKET" lat oomguarpages \
    "$mem" "$oomkey" "$RUNS" -- "$B/cli/acctctl" exec lat -- "$H/memhog" 64
ALERT_FLOOR=$pidsfloor "$B/bench/alert-latency" "$ACCTCTL_SOCKET" lat numproc \
    "$pids" max "$RUNS" -- "$B/cli/acctctl" exec lat -- "$H/forker" 20
if $v2; then
	ALERT_FLOOR=inotify "$B/bench/alert-latency" "$ACCTCTL_SOCKET" lat physpages \
	    "$mem" oom "$RUNS" -- "$B/cli/acctctl" exec lat -- "$H/memhog" 64
fi
