#!/bin/bash
# An OpenVZ CTID.conf works unchanged: dropped into ct_conf_dir it is
# read at start (its other keys kept and not complained about), its
# limits are enforced, and a --save rewrites only the keys it changes.
# Also: --applyconfig with a shipped sample, and discovery by pattern.
. "$(dirname "$0")/lib.sh"
require_cgroups
SAMPLES=${ACCT_SRCDIR:-.}/policies/samples
[ -f "$SAMPLES/ve-vswap-256m.conf-sample" ] || skip "no samples at $SAMPLES"

mkdir -p "${TMPDIR:-/tmp}" && TDIR=$(mktemp -d "${TMPDIR:-/tmp}/acctd-$T_NAME.XXXXXX")
PARENT="acctd-test-$$-$T_NAME"
trap cleanup EXIT
mkdir -p "$TDIR/ct" "$TDIR/samples"
cp "$SAMPLES"/ve-*.conf-sample "$TDIR/samples/"
cat > "$TDIR/ct/101.conf" <<'CONF'
# Configuration of an OpenVZ container
ONBOOT="yes"
OSTEMPLATE="debian-12-x86_64"
VE_ROOT="/vz/root/$VEID"
VE_PRIVATE="/vz/private/$VEID"
IP_ADDRESS="192.0.2.10"
HOSTNAME="ct101.example.org"
NETFILTER="stateless"
PHYSPAGES="0:256M"
SWAPPAGES="0:512M"
NUMPROC="240:240"
KMEMSIZE="14372700:14790164"
PRIVVMPAGES="65536:69632"
DISKSPACE="2G:2.2G"
DISKINODES="131072:144179"
QUOTATIME="0"
CPUUNITS="1000"
CPULIMIT="40"
IOPRIO="4"
CONF
cp "$TDIR/ct/101.conf" "$TDIR/orig.conf"
# discover= comes from a file, so that a reload can take it away
echo "discover = $PARENT/pool/%n.scope" > "$TDIR/accountd.conf"
start_daemon -f "$TDIR/accountd.conf" -o sample_dir="$TDIR/samples"

actl list -H -o ctid,status | grep -q '^101 running' || fail "101 not running: $(actl list -a)"
[ "$(mem_limit "$(ctcg 101)")" = "$(ram_ceiling $((256 << 20)) $((512 << 20)))" ] ||
    fail "PHYSPAGES not enforced: memory limit $(mem_limit "$(ctcg 101)")"
[ "$(cpu_quota_pct "$(ctcg 101)")" = 40 ] || fail "CPULIMIT not enforced"
[ "$(knob 101 pids pids.max pids.max)" = 240 ] || fail "NUMPROC not enforced"
pass "OpenVZ 101.conf read unchanged: ram, cpulimit, numproc enforced"
grep -q "unknown keys" "$TDIR/daemon.log" && fail "OpenVZ keys were complained about"
actl show 101 | grep -E '^  privvmpages .*not enforced' > /dev/null ||
    fail "privvmpages not reported as not enforced"
pass "privvmpages stored and shown as not enforced"

actl set 101 --cpulimit 20 --save || fail "set --save"
diff -u "$TDIR/orig.conf" "$TDIR/ct/101.conf" | grep -E '^[-+][^-+]' > "$TDIR/diff"
[ "$(cat "$TDIR/diff")" = '-CPULIMIT="40"
+CPULIMIT="20"' ] || fail "save changed more than CPULIMIT: $(cat "$TDIR/diff")"
pass "--save rewrote only CPULIMIT; every other line kept"

actl set 101 --applyconfig vswap-1g || fail "applyconfig"
[ "$(mem_limit "$(ctcg 101)")" = "$(ram_ceiling $((1 << 30)) $((2 << 30)))" ] ||
    fail "applyconfig did not set ram=1G swap=2G"
pass "--applyconfig vswap-1g applied ram=1G"
msg=$(actl set 101 --applyconfig nosuch 2>&1) && fail "unknown sample accepted"
note "$msg"

# discovery: a cgroup matching the pattern becomes a container
DOCKER_ID=$(printf '%s' "$$-vzconf-discovery" | sha256sum | cut -c1-64)
if cg_is_v2; then
	echo "+memory +cpu +pids" > "$CGROUP_ROOT/$PARENT/cgroup.subtree_control"
	mkdir -p "$CGROUP_ROOT/$PARENT/pool"
	echo "+memory +cpu +pids" > "$CGROUP_ROOT/$PARENT/pool/cgroup.subtree_control"
	mkdir "$CGROUP_ROOT/$PARENT/pool/shop.scope" "$CGROUP_ROOT/$PARENT/pool/cart.scope" \
	    "$CGROUP_ROOT/$PARENT/pool/$DOCKER_ID.scope"
else
	for c in memory cpu cpuacct pids; do
		mkdir -p "$CGROUP_ROOT/$c/$PARENT/pool/shop.scope" "$CGROUP_ROOT/$c/$PARENT/pool/cart.scope" \
		    "$CGROUP_ROOT/$c/$PARENT/pool/$DOCKER_ID.scope"
	done
fi
wait_for 5 sh -c "\"$ACCTCTL\" list -H -o ctid | grep -qx shop" || fail "shop not discovered"
wait_for 5 sh -c "\"$ACCTCTL\" list -H -o ctid | grep -qx ${DOCKER_ID:0:12}" ||
    fail "a 64-digit id was not discovered by its short id: $(actl list)"
pass "a 64-digit container id is discovered as ${DOCKER_ID:0:12}"
actl set shop --ram 96M --save || fail "set on a discovered container"
[ "$(mem_limit "$PARENT/pool/shop.scope")" = $((96 << 20)) ] || fail "discovered limit"
pass "discover=$PARENT/pool/%n.scope found 'shop' and limits apply"
msg=$(actl destroy shop 2>&1) && fail "a discovered container was destroyed"
case $msg in *"discover=$PARENT/pool/%n.scope"*) ;; *) fail "destroy message: $msg" ;; esac
pass "destroy refused while a pattern finds it: $msg"

# the pattern goes away with a reload: cart (no saved settings) is let go,
# shop (saved, CGROUP= in its file) stays as an adopted container
: > "$TDIR/accountd.conf"
kill -HUP "$DPID"
wait_for 5 sh -c "! \"$ACCTCTL\" list -a -H -o ctid | grep -qx cart" ||
    fail "cart still managed after its pattern was removed: $(actl list -a)"
[ "$(actl list -a -H -o ctid,origin | awk '$1 == "shop" { print $2 }')" = adopted ] ||
    fail "shop is not adopted after the reload: $(actl list -a -o ctid,origin)"
actl destroy shop > /dev/null 2>&1 || fail "the adopted shop could not be destroyed"
[ "$(mem_limit "$PARENT/pool/shop.scope")" = $((96 << 20)) ] || fail "destroy changed shop's limits"
pass "pattern removed on reload: cart let go, shop kept as adopted and then destroyed"
