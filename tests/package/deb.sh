#!/bin/bash
# The Debian package, end to end (slow: a build of the whole tree).  The
# distributed sources (`make distdir`, so debian/ and every file the build
# needs must be in the tarball) are built with `dpkg-buildpackage -us -uc
# -b` in a temporary folder; lintian must report no error; the four .debs
# are installed with dpkg; accountd is started the way README.Debian
# says for hosts without systemd (`service accountd start`, with
# ACCOUNTD_OPTS in /etc/default/accountd putting its containers under this
# test's cgroup parent; nothing may start on installation); `acctctl status` answers,
# the ledger child runs as the package's user _accountd-ledger, the read-only
# socket's server as _accountd-rsock (and answers nobody), and a container
# gets a real numproc and RAM limit (the cgroup files checked).  Then
# accountd is stopped, the packages purged, and nothing may be left:
# no file `dpkg -L` listed, no state, no package user or group, no
# enablement or rc.d link, no cgroup.  The trap purges and removes on any failure.
# The state of an accountd run from the build tree (the demo's) is renamed
# aside for the test and put back after it.
#
# Runs in the plain build only: the package is built from the sources
# without sanitizers, so in the ASan build it would test the same thing
# again (tests/expected-skips.txt).
. "$(dirname "$0")/../integration/lib.sh"

[ -z "${ACCT_SANITIZERS:-}" ] ||
    skip "ASan build: the package is built without sanitizers from the same sources; it runs in the plain build"
require_cgroups
for p in dpkg-buildpackage dh lintian fakeroot adduser; do
	command -v "$p" > /dev/null || skip "$p is not installed (scripts/deps.sh installs it)"
done
[ -n "${ACCT_BUILDDIR:-}" ] || skip "ACCT_BUILDDIR is not set (run from make check)"

PKGS=(accountd accountd-exporter accountd-ledger pcp-pmda-accountd)
# what the package would take over or remove: never this test's to touch
pkg_state() { dpkg-query -W -f='${db:Status-Status}' "$1" 2> /dev/null; }
for p in "${PKGS[@]}"; do
	case $(pkg_state "$p") in ""|not-installed) ;;
	*) skip "package $p is on this host ($(pkg_state "$p")); the test would replace and purge it" ;;
	esac
done
for f in /usr/sbin/accountd /usr/sbin/acctctl /usr/share/accountd; do
	[ -e "$f" ] && skip "$f exists (an install not from the package?); the test would overwrite or remove it"
done
# The state of an accountd run from the build tree (the README's demo
# keeps its containers' configs in /etc/accountd/ct, its store in
# /var/lib/accountd) is the package's paths too: when no daemon runs from
# it, it is renamed aside for the test and renamed back by the trap, as it
# was (a run killed before its trap leaves NAME.before-deb-test, which the
# next run puts back first).
STATE=(/etc/accountd /var/lib/accountd /var/lib/accountd-ledger /run/accountd)
for f in "${STATE[@]}"; do
	a=$f.before-deb-test
	[ -e "$a" ] || continue
	[ -e "$f" ] && skip "$f and $a both exist (a killed earlier run?): put one of them away by hand"
	mv "$a" "$f"
done
if [ -f /run/accountd/accountd.pid ]; then
	p=$(cat /run/accountd/accountd.pid)
	[ -n "$p" ] && kill -0 "$p" 2> /dev/null &&
	    skip "accountd pid $p runs from /run/accountd (the README's demo? scripts/demo.sh --stop stops it); the package uses its paths"
fi
USERS=(_accountd _accountd-ledger _accountd-rsock)	# the exporter's, the
					# ledger's, the read-only socket's
for u in "${USERS[@]}"; do
	getent passwd "$u" > /dev/null && skip "user $u exists"
	getent group "$u" > /dev/null && skip "group $u exists"
done

prepare_tdir
INSTALLED=0 APID= ASIDE=()
wants=/etc/systemd/system/multi-user.target.wants
had_wants=0; [ -d "$wants" ] && had_wants=1
pkg_cleanup() {
	local rc=$?
	if [ -n "$APID" ] && kill -0 "$APID" 2> /dev/null; then
		kill -TERM "$APID"
		for _ in $(seq 1 50); do kill -0 "$APID" 2> /dev/null || break; sleep 0.1; done
		kill -KILL "$APID" 2> /dev/null
	fi
	if [ "$INSTALLED" = 1 ]; then
		dpkg --purge "${PKGS[@]}" > "$TDIR/purge-trap.log" 2>&1 ||
		    { echo "# purge in the trap failed:"; sed 's/^/# /' "$TDIR/purge-trap.log"; }
	fi
	[ "$had_wants" = 0 ] && rmdir "$wants" 2> /dev/null
	# what was there before, back in its place; whatever the package
	# left there in a failed run is this test's (the check below names it)
	for f in "${ASIDE[@]}"; do
		rm -rf "$f"
		mv "$f.before-deb-test" "$f" || echo "# could not put $f back: it is $f.before-deb-test"
	done
	# the users did not exist before (checked above): their processes
	# are accountd's children of this test, and they go with them
	for u in "${USERS[@]}"; do
		if getent passwd "$u" > /dev/null; then
			for p in $(pgrep -u "$u"); do kill -KILL "$p" 2> /dev/null; done
			sleep 0.2
			deluser --system --quiet "$u" > /dev/null 2>&1
		fi
		getent group "$u" > /dev/null && delgroup --system --quiet "$u" > /dev/null 2>&1
	done
	(exit "$rc")
	cleanup
}
trap pkg_cleanup EXIT
for f in "${STATE[@]}"; do
	[ -e "$f" ] || continue
	mv "$f" "$f.before-deb-test" || fail "cannot rename $f aside"
	ASIDE+=("$f")
	echo "# $f (not the package's) renamed aside for the test; put back at its end"
done

# ---- build from the distributed sources ---------------------------------
t0=$SECONDS
ver=$(sed -n 's/^PACKAGE_VERSION = //p' "$ACCT_BUILDDIR/Makefile")
src=$TDIR/src/accountd-$ver
mkdir -p "$TDIR/src"
make -s -C "$ACCT_BUILDDIR" distdir distdir="$src" > "$TDIR/distdir.log" 2>&1 ||
    fail "make distdir: $(tail -20 "$TDIR/distdir.log")"
[ -f "$src/debian/control" ] || fail "debian/ is not in the distributed sources"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) noddebs" \
    dpkg-buildpackage -us -uc -b) > "$TDIR/build.log" 2>&1 ||
    fail "dpkg-buildpackage: $(tail -40 "$TDIR/build.log")"
debs=()
for p in "${PKGS[@]}"; do
	f=$(ls "$TDIR/src/${p}_${ver}"_*.deb 2> /dev/null)
	[ -f "$f" ] || fail "no ${p}_$ver .deb built: $(ls "$TDIR/src")"
	debs+=("$f")
done
pass "dpkg-buildpackage -us -uc -b: ${#debs[@]} packages ($((SECONDS - t0)) s)"
# acctctl is linked statically unless libc.a or libjson-c.a was missing:
# the package then names their sources
mkdir -p "$TDIR/x" && dpkg-deb -x "${debs[0]}" "$TDIR/x" || fail "dpkg-deb -x ${debs[0]}"
bu=$(dpkg-deb -f "${debs[0]}" Built-Using)
if readelf -l "$TDIR/x/usr/sbin/acctctl" | grep -q "program interpreter"; then
	pass "acctctl is linked dynamically (no static libraries found)"
else
	case $bu in
	"glibc (= "*"), json-c (= "*")") pass "acctctl is static; Built-Using: $bu" ;;
	*) fail "acctctl is static but Built-Using is '$bu', not glibc's and json-c's" ;;
	esac
fi

t0=$SECONDS
lintian --fail-on error --no-tag-display-limit "$TDIR"/src/*.changes > "$TDIR/lintian.log" 2>&1
lrc=$?
grep -E '^[EWIP]: ' "$TDIR/lintian.log" | sed 's/^/# lintian: /'
[ $lrc = 0 ] || fail "lintian reports errors (exit $lrc): $(grep '^E: ' "$TDIR/lintian.log")"
pass "lintian: no errors, $(grep -c '^W: ' "$TDIR/lintian.log") warnings ($((SECONDS - t0)) s)"

# ---- install -------------------------------------------------------------
INSTALLED=1
dpkg -i "${debs[@]}" > "$TDIR/install.log" 2>&1 ||
    fail "dpkg -i: $(tail -20 "$TDIR/install.log")"
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" | grep -q 'install ok installed' ||
	    fail "$p is not installed: $(dpkg-query -W -f='${Status}' "$p")"
	dpkg -L "$p" > "$TDIR/$p.files"
done
for u in "${USERS[@]}"; do
	getent passwd "$u" > /dev/null || fail "postinst made no user $u"
done
grep -qx 'ledger_user = _accountd-ledger' /etc/accountd/accountd.conf ||
    fail "the packaged accountd.conf does not run the ledger as _accountd-ledger"
grep -qx 'exporter_user = _accountd' /etc/accountd/accountd.conf ||
    fail "the packaged accountd.conf does not run the exporter as _accountd"
grep -qx 'rsock_user = _accountd-rsock' /etc/accountd/accountd.conf ||
    fail "the packaged accountd.conf does not run the read-only socket's server as _accountd-rsock"
/usr/sbin/accountd -n > "$TDIR/config" 2>&1 || fail "accountd -n: $(cat "$TDIR/config")"
for f in /usr/libexec/accountd/accountd-hook /usr/share/man/man8/acctctl.8.gz \
    /lib/systemd/system/accountd.service /lib/systemd/system/accountd-exporter.service \
    /etc/init.d/accountd /etc/default/accountd \
    /usr/share/accountd/samples/ve-vswap-256m.conf-sample /usr/sbin/accountd-ledger \
    /var/lib/pcp/pmdas/accountd/pmdaaccountd /var/lib/pcp/pmdas/accountd/pmns; do
	[ -e "$f" ] || fail "$f is not installed"
done
pass "installed: the users _accountd, _accountd-ledger and _accountd-rsock, accountd.conf, units, hook, samples, man pages, ledger, PCP agent"

# ---- run, the way README.Debian says without systemd ---------------------
[ -e /run/accountd ] && fail "accountd was started on installation (no systemd here)"
ls /etc/rc2.d/S*accountd > /dev/null 2>&1 || fail "/etc/init.d/accountd is not enabled in rc2.d"
sed -i "s|^ACCOUNTD_OPTS=.*|ACCOUNTD_OPTS=\"-o cgroup_parent=$PARENT\"|" /etc/default/accountd
service accountd start > "$TDIR/start.log" 2>&1 ||
    fail "service accountd start: $(cat "$TDIR/start.log")"
wait_for 10 test -s /run/accountd/accountd.pid || fail "no /run/accountd/accountd.pid"
APID=$(cat /run/accountd/accountd.pid)
service accountd status > "$TDIR/status.log" 2>&1 || fail "service accountd status: $(cat "$TDIR/status.log")"
ACCTCTL=/usr/sbin/acctctl
unset ACCTCTL_SOCKET
wait_for 10 sh -c '/usr/sbin/acctctl status > /dev/null 2>&1' || fail "acctctl status does not answer"
st=$(actl status) || fail "acctctl status"
echo "$st" | sed 's/^/# /'
echo "$st" | grep -q "$APID" || fail "acctctl status does not name pid $APID"
pass "service accountd start: pid $APID, under $PARENT; acctctl status answers"

wait_for 10 pgrep -u _accountd-ledger -x accountd-ledger > /dev/null ||
    fail "accountd-ledger does not run as _accountd-ledger: $(ps -o uid=,args= -C accountd-ledger)"
pass "the ledger child runs as _accountd-ledger"

wait_for 10 sh -c "ps -o user=,args= -u _accountd-rsock | grep -q -- --rsock" ||
    fail "accountd --rsock does not run as _accountd-rsock: $(ps -eo user=,args= | grep -- --rsock)"
if [ "$(id -u nobody 2> /dev/null)" = 65534 ] && [ -x "$HELPERS/ctlabuse" ]; then
	"$HELPERS/ctlabuse" exec /usr/sbin/acctctl list > "$TDIR/ro.log" 2>&1 ||
	    fail "nobody's acctctl list (the read-only socket): $(cat "$TDIR/ro.log")"
fi
pass "the read-only socket's server runs as _accountd-rsock and answers nobody"

actl create pkgtest --numproc 7 --ram 64M || fail "acctctl create pkgtest"
pids=$(cat "$(cgdir pids "$(ctcg pkgtest)")/pids.max")
[ "$pids" = 7 ] || fail "pids.max is $pids, expected 7"
mem=$(mem_limit "$(ctcg pkgtest)")
[ "$mem" = $((64 << 20)) ] || fail "memory limit is $mem, expected $((64 << 20))"
pass "acctctl create --numproc 7 --ram 64M: pids.max 7, memory limit $mem"
actl destroy pkgtest || fail "acctctl destroy pkgtest"
[ -d "$(cgdir pids "$(ctcg pkgtest)")" ] && fail "destroy left the cgroup"

service accountd stop > "$TDIR/stop.log" 2>&1 || fail "service accountd stop: $(cat "$TDIR/stop.log")"
wait_for 10 sh -c "! kill -0 $APID 2> /dev/null" || fail "accountd did not stop"
APID=
[ -e /run/accountd/accountd.pid ] && fail "the pid file is left after stop"
# its children (the ledger) get the parent-death signal and exit
wait_for 10 sh -c '! pgrep -u _accountd,_accountd-ledger,_accountd-rsock > /dev/null' ||
    fail "processes of the package's users left after stop: $(pgrep -a -u _accountd,_accountd-ledger,_accountd-rsock)"
pass "service accountd stop: stopped, pid file removed, children gone"

# ---- purge: nothing left --------------------------------------------------
dpkg --purge "${PKGS[@]}" > "$TDIR/purge.log" 2>&1 || fail "dpkg --purge: $(tail -20 "$TDIR/purge.log")"
INSTALLED=0
left=()
for p in "${PKGS[@]}"; do
	case $(pkg_state "$p") in ""|not-installed) ;; *) left+=("package $p") ;; esac
	while read -r f; do
		# shared folders (/usr/sbin, /var/lib/pcp/pmdas) stay; files go
		[ -d "$f" ] && continue
		[ -e "$f" ] || [ -L "$f" ] && left+=("$f")
	done < "$TDIR/$p.files"
done
for f in /etc/accountd /var/lib/accountd /var/lib/accountd-ledger /run/accountd \
    /usr/share/accountd /usr/libexec/accountd /var/lib/pcp/pmdas/accountd \
    /usr/share/doc/accountd "$wants/accountd.service" "$wants/accountd-exporter.service" \
    /etc/init.d/accountd /etc/default/accountd /etc/rc2.d/S*accountd /etc/rc0.d/K*accountd; do
	[ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done
for u in "${USERS[@]}"; do
	getent passwd "$u" > /dev/null && left+=("user $u")
	getent group "$u" > /dev/null && left+=("group $u")
done
[ -d "$(cgdir pids "$(ctcg pkgtest)")" ] && left+=("cgroup $(ctcg pkgtest)")
[ "${#left[@]}" = 0 ] || fail "left after purge: ${left[*]}; dpkg --purge said: $(cat "$TDIR/purge.log")"
pass "purged: no file of dpkg -L, no state, no user or group, no unit link, no container cgroup"
