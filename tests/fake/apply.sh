#!/bin/bash
# The apply path against a fake cgroup tree of plain files, as a normal
# user (when run as root it drops to nobody with setpriv): accountd is
# pointed at the tree with cgroup_root, acctctl sets parameters, and the
# files must hold what the kernel would have been told, for a v1 and a v2
# layout.  A write that fails (a file linked to /dev/full, which refuses
# every write) must roll back the writes before it.  `acctctl show` output
# is compared with golden files (make update-golden rewrites them).  The
# controllers' file types (BFQ or not) are learnt once and again on SIGHUP.
set -u
SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
ACCOUNTD=${ACCOUNTD:?} ACCTCTL=${ACCTCTL:?}

AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
if [ "$(id -u)" = 0 ] && [ -z "${FAKE_AS_USER:-}" ] &&
    command -v setpriv > /dev/null &&
    "${AS_NOBODY[@]}" test -x "$ACCOUNTD" -a -x "$ACCTCTL" -a -r "$SELF" 2> /dev/null; then
	T=$(mktemp -d /tmp/acctd-fake.XXXXXX)
	chown nobody "$T"
	trap 'rm -rf "$T"' EXIT
	"${AS_NOBODY[@]}" env FAKE_AS_USER=1 TMPDIR="$T" HOME="$T" bash "$SELF"
	exit $?
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/fake.XXXXXX")
DPID=
fail() { echo "FAIL: $*"; [ -f "$T/log" ] && tail -20 "$T/log"; exit 1; }
pass() { echo "ok - $*"; }
cleanup() { [ -n "$DPID" ] && kill "$DPID" 2> /dev/null; wait 2> /dev/null; rm -rf "$T"; }
trap cleanup EXIT
echo "# running as $(id -un)$([ "$(id -u)" = 0 ] && echo " (the build tree is not readable by nobody)")"

mkfiles() {	# DIR FILE=VALUE ...
	local d=$1; shift
	mkdir -p "$d"
	for kv in "$@"; do printf '%s\n' "${kv#*=}" > "$d/${kv%%=*}"; done
}

v1_tree() {	# ROOT CT: a v1 layout with the container's directories ready
	local r=$1 c=$2
	for h in memory cpu cpuacct cpuset blkio pids freezer; do
		mkfiles "$r/$h" cgroup.procs=
	done
	mkfiles "$r/cpuset" cpuset.cpus=0-3 cpuset.mems=0 cpuset.effective_cpus=0-3 \
	    cpuset.effective_mems=0
	mkfiles "$r/cpuset/accountd" cgroup.procs= cpuset.cpus=0-3 cpuset.mems=0 \
	    cpuset.effective_cpus=0-3 cpuset.effective_mems=0
	mkfiles "$r/memory/accountd/$c" cgroup.procs= memory.limit_in_bytes=9223372036854771712 \
	    memory.memsw.limit_in_bytes=9223372036854771712 memory.usage_in_bytes=0 \
	    memory.soft_limit_in_bytes=9223372036854771712 memory.kmem.tcp.limit_in_bytes=9223372036854771712
	mkfiles "$r/cpu/accountd/$c" cgroup.procs= cpu.shares=1024 cpu.cfs_period_us=100000 \
	    cpu.cfs_quota_us=-1
	mkfiles "$r/cpuacct/accountd/$c" cgroup.procs=
	mkfiles "$r/cpuset/accountd/$c" cgroup.procs= cpuset.cpus= cpuset.mems=
	mkfiles "$r/blkio/accountd/$c" cgroup.procs= blkio.bfq.weight=100 \
	    blkio.throttle.read_bps_device= blkio.throttle.write_bps_device= \
	    blkio.throttle.read_iops_device= blkio.throttle.write_iops_device=
	mkfiles "$r/pids/accountd/$c" cgroup.procs= pids.max=max pids.current=0
	mkfiles "$r/freezer/accountd/$c" cgroup.procs=
}

v2_tree() {
	local r=$1 c=$2
	mkfiles "$r" cgroup.procs= cgroup.controllers="cpuset cpu io memory pids" \
	    cgroup.subtree_control= cpuset.cpus.effective=0-3 cpuset.mems.effective=0
	mkfiles "$r/accountd" cgroup.procs= cgroup.controllers="cpuset cpu io memory pids" \
	    cgroup.subtree_control="cpuset cpu io memory pids" cpuset.cpus.effective=0-3 \
	    cpuset.mems.effective=0
	mkfiles "$r/accountd/$c" cgroup.procs= memory.max=max memory.swap.max=max \
	    memory.current=0 memory.high=max memory.low=0 cpu.weight=100 \
	    cpu.max="max 100000" cpuset.cpus= cpuset.mems= io.weight="default 100" \
	    io.max= pids.max=max pids.current=0
}

start() {	# ROOT [VSWAP_MODE]: kernel unless told (the plain mapping)
	"$ACCOUNTD" -d -o cgroup_root="$1" -o run_dir="$T/run" -o state_dir="$T/state" \
	    -o ct_conf_dir="$T/ct" -o rescan_interval=0 -o vswap_mode="${2:-kernel}" \
	    >> "$T/log" 2>&1 &
	DPID=$!
	export ACCTCTL_SOCKET=$T/run/accountd.sock
	for _ in $(seq 1 100); do
		"$ACCTCTL" status > /dev/null 2>&1 && return 0
		kill -0 "$DPID" 2> /dev/null || fail "accountd exited: $(tail -3 "$T/log")"
		sleep 0.05
	done
	fail "accountd did not start"
}
stop() { kill "$DPID"; wait "$DPID"; DPID=; rm -rf "$T/ct" "$T/run"; }

is() {	# FILE EXPECTED
	local got
	got=$(cat "$1")
	[ "$got" = "$2" ] || fail "${1#"$T"/}: '$got', expected '$2'"
}

golden() {	# NAME: compare show output with tests/fake/NAME.golden
	local out="$T/$1.out"
	"$ACCTCTL" show 101 | sed "s|$T|T|g" > "$out"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		cp "$out" "$HERE/$1.golden"
	fi
	diff -u "$HERE/$1.golden" "$out" || fail "show output differs from $1.golden"
}

ARGS=(--ram 1G --swap 2G --cpuunits 500 --cpulimit 50 --numproc 100 --ioprio 6
    --iolimit 10M --iodevices 8:0 --cpumask 1-2 --memguarantee 25% --privvmpages 262144)

# ---- cgroup v1 -------------------------------------------------------------
v1_tree "$T/v1" 101
start "$T/v1"
"$ACCTCTL" create 101 "${ARGS[@]}" || fail "create on v1"
m=$T/v1/memory/accountd/101
is "$m/memory.limit_in_bytes" 1073741824
is "$m/memory.memsw.limit_in_bytes" 3221225472
is "$m/memory.soft_limit_in_bytes" 268435456
is "$T/v1/cpu/accountd/101/cpu.shares" 512
is "$T/v1/cpu/accountd/101/cpu.cfs_quota_us" 50000
is "$T/v1/cpuset/accountd/101/cpuset.cpus" 1-2
is "$T/v1/blkio/accountd/101/blkio.bfq.weight" 600
is "$T/v1/blkio/accountd/101/blkio.throttle.write_bps_device" "8:0 10485760"
is "$T/v1/pids/accountd/101/pids.max" 100
pass "v1: every file holds the translated value"
golden show-v1

# a write that fails: memory.limit_in_bytes refuses, the rest comes back
ln -sf /dev/full "$m/memory.limit_in_bytes.new" && mv -f "$m/memory.limit_in_bytes.new" "$m/memory.limit_in_bytes"
out=$("$ACCTCTL" set 101 --cpulimit 80 --numproc 200 --ram 2G 2>&1) && fail "set succeeded: $out"
echo "# $out"
case $out in *"cannot set ram=2G on 101"*"No space left on device"*) ;; *) fail "message: $out" ;; esac
is "$T/v1/cpu/accountd/101/cpu.cfs_quota_us" 50000
is "$T/v1/pids/accountd/101/pids.max" 100
is "$m/memory.memsw.limit_in_bytes" 3221225472
pass "v1: a refused write rolled back cpulimit, numproc and memsw"
stop

# ---- cgroup v2 -------------------------------------------------------------
v2_tree "$T/v2" 101
start "$T/v2"
"$ACCTCTL" create 101 "${ARGS[@]}" || fail "create on v2"
c=$T/v2/accountd/101
is "$c/memory.max" 1073741824
is "$c/memory.swap.max" 2147483648
is "$c/memory.low" 268435456
is "$c/cpu.weight" 50
is "$c/cpu.max" "50000 100000"
is "$c/cpuset.cpus" 1-2
is "$c/io.weight" 600
is "$c/io.max" "8:0 rbps=10485760 wbps=10485760"
is "$c/pids.max" 100
pass "v2: every file holds the translated value (swap.max is swap, not ram+swap)"
golden show-v2

# a live change of a list parameter: its value lives beside the row, and
# show said "saved" for any value while the row's numbers matched
"$ACCTCTL" set 101 --cpumask 0-1 || fail "set --cpumask 0-1"
is "$c/cpuset.cpus" 0-1
"$ACCTCTL" show 101 | grep -q '^  cpumask  *0-1 (not saved)' ||
    fail "an unsaved cpumask shown as saved: $("$ACCTCTL" show 101 | grep cpumask)"
"$ACCTCTL" set 101 --cpumask 1-2 || fail "set --cpumask 1-2"
"$ACCTCTL" show 101 | grep -q '^  cpumask  *1-2  *enforced' ||
    fail "the saved cpumask shown as not saved: $("$ACCTCTL" show 101 | grep cpumask)"
pass "v2: show tells an unsaved cpumask from the saved one"

# lowering ram below usage: v2 must refuse (as v1 does) rather than OOM
echo 2147483648 > "$c/memory.current"
out=$("$ACCTCTL" set 101 --cpulimit 80 --ram 512M 2>&1) && fail "set succeeded: $out"
echo "# $out"
case $out in *"cannot set ram=512M on 101: usage is 2G"*) ;; *) fail "message: $out" ;; esac
is "$c/cpu.max" "50000 100000"
is "$c/memory.max" 1073741824
is "$c/memory.high" max
pass "v2: ram below usage refused; cpulimit rolled back; memory.high restored"
stop

# ---- VSwap kept in RAM: the kernel ceiling is ram+swap ------------------------
rm -rf "$T/v1" "$T/v2" "$T/state"
v1_tree "$T/v1" 101
start "$T/v1" ram
"$ACCTCTL" create 101 --ram 1G --swap 2G || fail "create on v1 (ram mode)"
is "$T/v1/memory/accountd/101/memory.limit_in_bytes" 3221225472
is "$T/v1/memory/accountd/101/memory.memsw.limit_in_bytes" 3221225472
"$ACCTCTL" show 101 | grep -q '^  physpages .*memory.limit_in_bytes: the kernel ceiling is ram+swap' ||
    fail "show does not say accountd draws the ram line: $("$ACCTCTL" show 101)"
stop
v2_tree "$T/v2" 101
start "$T/v2" ram
"$ACCTCTL" create 101 --ram 1G --swap 2G || fail "create on v2 (ram mode)"
is "$T/v2/accountd/101/memory.max" 3221225472
is "$T/v2/accountd/101/memory.swap.max" 0
stop
pass "vswap_mode=ram: the kernel ceiling is ram+swap on v1 and v2, no host swap on v2"

# ---- the controllers' file types: learnt once, learnt again on SIGHUP ---------
# (ioprio goes to blkio.bfq.weight where BFQ offers it, else blkio.weight;
# loading BFQ makes blkio.bfq.weight appear in every cgroup)
rm -rf "$T/v1" "$T/state"
v1_tree "$T/v1" 101
b=$T/v1/blkio/accountd/101
rm "$b/blkio.bfq.weight"
echo 500 > "$b/blkio.weight"
start "$T/v1"
"$ACCTCTL" create 101 --ioprio 6 || fail "create without BFQ"
is "$b/blkio.weight" 600
echo 100 > "$b/blkio.bfq.weight"
"$ACCTCTL" set 101 --ioprio 3 || fail "set --ioprio 3"
is "$b/blkio.weight" 460
is "$b/blkio.bfq.weight" 100
pass "v1: the file types are learnt once (no BFQ until told)"
kill -HUP "$DPID"
for _ in $(seq 1 100); do
	grep -q "configuration reloaded" "$T/log" && break
	sleep 0.05
done
grep -q "configuration reloaded" "$T/log" || fail "no reload after SIGHUP"
"$ACCTCTL" set 101 --ioprio 4 || fail "set --ioprio 4 after SIGHUP"
is "$b/blkio.bfq.weight" 500
pass "v1: after SIGHUP a set finds blkio.bfq.weight and writes it"
stop
