#!/bin/bash
# The README's first command: install what is needed, build, start
# accountd on its embedded default configuration, and show it at work:
# two demo containers run small workloads under different limits.
#
#   scripts/demo.sh          run the demo (accountd keeps running after)
#   scripts/demo.sh --stop   remove the demo containers and stop accountd
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (accountd writes cgroups)" >&2; exit 1; }
B=$PWD/_build
RUN=/run/accountd
ACCTCTL=$B/cli/acctctl

stop() {
	if [ -f "$RUN/accountd.pid" ] && kill -0 "$(cat "$RUN/accountd.pid")" 2> /dev/null; then
		for ct in demo1 demo2; do "$ACCTCTL" destroy "$ct" --force 2> /dev/null || true; done
		kill "$(cat "$RUN/accountd.pid")"
		sleep 0.2
		# the parent cgroup accountd made (rmdir fails if still in use)
		rmdir /sys/fs/cgroup/*/accountd /sys/fs/cgroup/accountd 2> /dev/null || true
		echo "demo: accountd stopped, demo containers removed"
	else
		echo "demo: accountd is not running"
	fi
}
[ "${1:-}" = --stop ] && { stop; exit 0; }

echo "== installing dependencies and building"
scripts/deps.sh build
scripts/build.sh _build
make -C _build -s tests/helpers/cpuburn tests/helpers/memhog > /dev/null

if [ -f "$RUN/accountd.pid" ] && kill -0 "$(cat "$RUN/accountd.pid")" 2> /dev/null; then
	echo "== accountd already running (pid $(cat "$RUN/accountd.pid")); reusing it"
else
	echo "== starting accountd (embedded default configuration: accountd -n prints it)"
	# the shipped samples and the ledger writer come from the source and
	# build trees (nothing is installed)
	"$B/accountd/accountd" -d -o sample_dir="$PWD/policies/samples" \
	    -o ledger_program="$B/ledger/accountd-ledger" \
	    > /tmp/accountd-demo.log 2>&1 &
	for _ in $(seq 1 100); do "$ACCTCTL" status > /dev/null 2>&1 && break; sleep 0.05; done
	"$ACCTCTL" status
fi

echo
echo "== two demo containers with different limits"
for ct in demo1 demo2; do "$ACCTCTL" destroy "$ct" --force > /dev/null 2>&1 || true; done
set -x
"$ACCTCTL" create demo1 --ram 128M --swap 0 --cpuunits 500 --cpulimit 25 --numproc 64
"$ACCTCTL" create demo2 --applyconfig vswap-256m --cpuunits 2000 --cpulimit 60 --ioprio 6
set +x

echo
echo "== workloads: a busy loop in each, and 96 MiB of memory held in demo1"
"$ACCTCTL" exec demo1 -- "$B/tests/helpers/memhog" 96 5 > /dev/null &
p0=$!
"$ACCTCTL" exec demo1 -- "$B/tests/helpers/cpuburn" 4 > /tmp/demo1.cpu &
p1=$!
"$ACCTCTL" exec demo2 -- "$B/tests/helpers/cpuburn" 4 > /tmp/demo2.cpu &
p2=$!
sleep 2
echo
echo "\$ acctctl list"
"$ACCTCTL" list
echo
echo "\$ acctctl show demo1"
"$ACCTCTL" show demo1
echo
echo "\$ acctctl show demo2"
"$ACCTCTL" show demo2
wait "$p0" "$p1" "$p2"
echo
echo "== what the kernel gave each busy loop (4 s of wall time)"
echo "demo1 (cpulimit 25%): $(cat /tmp/demo1.cpu)"
echo "demo2 (cpulimit 60%): $(cat /tmp/demo2.cpu)"
echo
echo "== try it: a 200 MiB allocation in demo1 (ram 128M) is OOM-killed in the container"
"$ACCTCTL" exec demo1 -- "$B/tests/helpers/memhog" 200 > /dev/null 2>&1 &
wait $! 2> /dev/null && rc=0 || rc=$?
if [ "$rc" = 0 ]; then echo "   unexpected: it survived"
else echo "   killed by the kernel, exit status $rc (137 = SIGKILL)"; fi
echo
echo "accountd keeps running (pid $(cat "$RUN/accountd.pid"), log /tmp/accountd-demo.log)."
echo "Try: $ACCTCTL set demo1 --ram 256M;  $ACCTCTL plan demo2;  $ACCTCTL help params;  $ACCTCTL bill (usage recorded hourly)"
echo "Stop: scripts/demo.sh --stop"
