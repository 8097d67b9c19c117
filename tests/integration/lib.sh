# shellcheck shell=bash
# Shared code of the integration tests (sourced).  Each test starts its
# own accountd on a private socket, state and config folder, with its
# containers under a cgroup parent named for the test run; cleanup kills
# only processes the test started (they live in that parent) and removes
# only that parent.  Runs unchanged on this host's cgroup v1 and in the
# VM on cgroup v2.
#
# Protocol: exit 0 pass, 77 skip (after a "SKIP: reason" line), else fail.

set -u
T_NAME=$(basename "$0" .sh)
ACCOUNTD=${ACCOUNTD:-${ACCT_BIN:-.}/accountd}
ACCTCTL=${ACCTCTL:-${ACCT_BIN:-.}/acctctl}
HELPERS=${ACCT_HELPERS:-${ACCT_BIN:-.}}
CGROUP_ROOT=${CGROUP_ROOT:-/sys/fs/cgroup}
TDIR= DPID= PARENT= BGPIDS=()

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	if [ -n "$TDIR" ] && [ -f "$TDIR/daemon.log" ]; then
		echo "--- daemon log"; tail -n 30 "$TDIR/daemon.log"
	fi
	exit 1
}
pass() { echo "ok - $*"; }
note() { echo "# $*"; }

cg_is_v2() { [ -f "$CGROUP_ROOT/cgroup.controllers" ]; }

require_cgroups() {
	[ "$(id -u)" = 0 ] || skip "needs root: writes real cgroups"
	[ -x "$ACCOUNTD" ] || fail "no accountd at $ACCOUNTD"
	if cg_is_v2; then
		for c in memory cpu pids; do
			grep -qw "$c" "$CGROUP_ROOT/cgroup.controllers" ||
			    skip "cgroup v2 without the $c controller"
		done
	else
		for c in memory cpu cpuacct pids; do
			[ -w "$CGROUP_ROOT/$c" ] ||
			    skip "no writable cgroup v1 $c hierarchy under $CGROUP_ROOT"
		done
	fi
	note "kernel $(uname -r), cgroup $(cg_is_v2 && echo v2 || echo v1)"
}

# The directory of a cgroup (relative path) for a controller.
cgdir() {	# CONTROLLER RELPATH
	if cg_is_v2; then
		echo "$CGROUP_ROOT/$2"
	else
		local c=$1
		[ "$c" = io ] && c=blkio
		echo "$CGROUP_ROOT/$c/$2"
	fi
}

ctcg() { echo "$PARENT/$1"; }	# cgroup of an own container

knob() {	# CT CONTROLLER V1FILE V2FILE
	local f=$3
	cg_is_v2 && f=$4
	cat "$(cgdir "$2" "$(ctcg "$1")")/$f"
}

cpu_usage_usec() {	# RELPATH
	if cg_is_v2; then
		awk '$1 == "usage_usec" { print $2 }' "$(cgdir cpu "$1")/cpu.stat"
	else
		echo $(( $(cat "$(cgdir cpuacct "$1")/cpuacct.usage") / 1000 ))
	fi
}

oom_kills() {	# RELPATH
	if cg_is_v2; then
		awk '$1 == "oom_kill" { print $2 }' "$(cgdir memory "$1")/memory.events"
	else
		awk '$1 == "oom_kill" { print $2 }' "$(cgdir memory "$1")/memory.oom_control"
	fi
}

# The CPU quota in percent of one CPU as the kernel has it ("max" if none).
cpu_quota_pct() {	# RELPATH
	local q p
	if cg_is_v2; then
		read -r q p < "$(cgdir cpu "$1")/cpu.max"
	else
		q=$(cat "$(cgdir cpu "$1")/cpu.cfs_quota_us")
		p=$(cat "$(cgdir cpu "$1")/cpu.cfs_period_us")
	fi
	if [ "$q" = max ] || [ "$q" = -1 ]; then echo max; else echo $(( q * 100 / p )); fi
}

mem_limit() {	# RELPATH: bytes, or "max"
	local v
	if cg_is_v2; then v=$(cat "$(cgdir memory "$1")/memory.max")
	else v=$(cat "$(cgdir memory "$1")/memory.limit_in_bytes"); fi
	[ "${#v}" -ge 19 ] && v=max
	echo "$v"
}

actl() { "$ACCTCTL" "$@"; }

# vswap_mode=auto, worked out from /proc/swaps as the daemon should: the
# kernel pages virtual swap only when every active swap is zram.
vswap_auto() {
	awk 'NR > 1 { n++; if ($1 !~ /zram/) other = 1 }
	    END { print (n > 0 && !other) ? "kernel" : "ram" }' /proc/swaps
}

# The memory ceiling the kernel should hold for ram RAM and swap SWAP
# (bytes) under vswap_mode=auto: ram+swap when virtual swap is kept in RAM.
ram_ceiling() {	# RAM SWAP
	if [ "$2" -gt 0 ] && [ "$(vswap_auto)" = ram ]; then echo $(( $1 + $2 ))
	else echo "$1"; fi
}

free_port() {	# a loopback TCP port nobody listens on, below the
	# kernel's ephemeral range (ip_local_port_range), so no outgoing
	# connection of another program holds it when the test binds
	local p lo=32768
	read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null
	[ "$lo" -gt 12000 ] 2> /dev/null || lo=32768
	for _ in $(seq 1 200); do
		p=$(( 10000 + RANDOM % (lo - 10000) ))
		if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null; then
			echo "$p"
			return 0
		fi
	done
	fail "no free port"
}

prepare_tdir() {	# the test's private folder (start_daemon calls it too)
	if [ -z "$TDIR" ]; then
		TDIR=$(mktemp -d "${TMPDIR:-/tmp}/acctd-$T_NAME.XXXXXX")
		PARENT="acctd-test-$$-$T_NAME"
		trap cleanup EXIT
	fi
}

# Make a cgroup the way a container runtime does: in every v1 hierarchy
# (cpuset levels get their parent's CPUs and memory nodes), or on v2 with
# the controllers enabled down the path.
mkcg_runtime() {	# RELPATH
	local rel=$1 path part h parent
	if cg_is_v2; then
		path=""
		for part in ${rel//\// }; do
			echo "+memory +cpu +pids +io" \
			    > "$CGROUP_ROOT/${path:+$path/}cgroup.subtree_control" 2> /dev/null
			path=${path:+$path/}$part
			mkdir -p "$CGROUP_ROOT/$path"
		done
		return 0
	fi
	for h in "$CGROUP_ROOT"/*/; do
		h=${h%/}
		[ -f "$h/cgroup.procs" ] || continue
		case ${h##*/} in systemd|unified) continue ;; esac
		path=""
		for part in ${rel//\// }; do
			parent=$h${path:+/$path}
			path=${path:+$path/}$part
			mkdir -p "$h/$path"
			if [ -f "$h/$path/cpuset.cpus" ] && [ -z "$(cat "$h/$path/cpuset.cpus")" ]; then
				cat "$parent/cpuset.cpus" > "$h/$path/cpuset.cpus"
				cat "$parent/cpuset.mems" > "$h/$path/cpuset.mems"
			fi
		done
	done
}

rmcg_runtime() {	# RELPATH: the container stops and its cgroup goes
	local h
	if cg_is_v2; then rmdir "$CGROUP_ROOT/$1"; return; fi
	for h in "$CGROUP_ROOT"/*/; do
		[ -d "$h$1" ] && rmdir "$h$1"
	done
	return 0
}

# ledger=no: a test's containers never reach an installed system ledger
# (tests/integration/ledger.sh turns it on with its own ledger_path).
# A filesystem of the test's own that fsfreeze can hold (a disk that stops
# answering, for ct_conf_dir): an ext4 image loop-mounted at $MNT, with
# the folder $MNT/ct; the EXIT trap thaws it before the daemon stops and
# unmounts it after.
freezable_fs() {
	prepare_tdir
	for t in mkfs.ext4 fsfreeze; do
		command -v $t > /dev/null ||
		    fail "no $t (scripts/deps.sh installs e2fsprogs and util-linux)"
	done
	MNT=$TDIR/ctfs
	mkdir "$MNT"
	mkfs.ext4 -q -F "$TDIR/ct.img" 16M || fail "mkfs.ext4 $TDIR/ct.img"
	err=$(mount -o loop "$TDIR/ct.img" "$MNT" 2>&1) ||
	    skip "this kernel ($(uname -r)) cannot loop-mount an ext4 image: $err"
	trap 'r=$?; fsfreeze --unfreeze "$MNT" 2> /dev/null; stop_daemon; umount "$MNT"; (exit $r); cleanup' EXIT
	mkdir "$MNT/ct"
}

start_daemon() {	# [accountd -o options...]
	prepare_tdir
	"$ACCOUNTD" -d -o run_dir="$TDIR/run" -o state_dir="$TDIR/state" \
	    -o ct_conf_dir="$TDIR/ct" -o cgroup_parent="$PARENT" \
	    -o rescan_interval=1 -o ledger=no "$@" >> "$TDIR/daemon.log" 2>&1 &
	DPID=$!
	export ACCTCTL_SOCKET="$TDIR/run/accountd.sock"
	for _ in $(seq 1 100); do
		[ -S "$ACCTCTL_SOCKET" ] && actl status > /dev/null 2>&1 && return 0
		kill -0 "$DPID" 2> /dev/null || fail "accountd exited at start"
		sleep 0.05
	done
	fail "accountd did not come up"
}

stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2> /dev/null
	wait "$DPID" 2> /dev/null
	DPID=
}

# Start a command in the background inside a container; sets BGPID.
bg_in() {	# CT COMMAND...
	local ct=$1; shift
	actl exec "$ct" -- "$@" &
	BGPID=$!
	BGPIDS+=("$BGPID")
}

wait_for() {	# SECONDS COMMAND...: poll until the command succeeds
	local n=$(( $1 * 20 )); shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}

cleanup() {
	local rc=$?
	for p in "${BGPIDS[@]}"; do kill -KILL "$p" 2> /dev/null; done
	stop_daemon
	if [ -n "$PARENT" ]; then
		# processes still in our own cgroups were started by this test
		for d in $(find "$CGROUP_ROOT" -maxdepth 2 -type d -name "$PARENT" 2>/dev/null); do
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
			    while read -r p; do kill -KILL "$p" 2>/dev/null; done
		done
		sleep 0.1
		for d in $(find "$CGROUP_ROOT" -maxdepth 2 -type d -name "$PARENT" 2>/dev/null); do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	fi
	[ -n "$TDIR" ] && rm -rf "$TDIR"
	exit "$rc"
}
