#!/bin/bash
# The agent's Install and Remove scripts, in the PCP convention, run as
# an administrator would (./Install in .../pmdas/accountd), but against a
# sandboxed PCP: a private pcp.conf (PCP_CONF) moves pmcd.conf, the PMNS,
# the PMDA, run, tmp and log folders into the test folder; PCP_RC_DIR's
# pmcd script starts a private pmcd (loopback, private port and socket);
# pmsignal and ps are stand-ins that see only the sandbox's processes, so
# nothing outside the test is signalled.  Install must register the agent
# and its names, pmcd must serve them; Remove must take them away.
. "$(dirname "$0")/lib-exp.sh"
[ "$(id -u)" = 0 ] || skip "needs root: Install is run as root"
PMCD=${PMCD:-/usr/lib/pcp/bin/pmcd}
[ -x "$PMCD" ] || skip "pmcd is not installed (Debian: pcp)"
[ -f /usr/share/pcp/lib/pmdaproc.sh ] && [ -f /etc/pcp.conf ] ||
    skip "no PCP install scripts (Debian: pcp)"
[ -f /var/lib/pcp/pmdas/pmcd/pmda_pmcd.so ] || skip "no pmcd agent"
need pminfo "Debian: pcp"
exp_tdir
S=$TDIR/pcp
A=$S/pmdas/accountd
mkdir -p "$A" "$S/var/pmns" "$S/var/config/pmda" "$S/run" "$S/tmp" \
    "$S/log/pmcd" "$S/rc" "$S/bin" "$S/etc"
for f in Install Remove domain.h root; do cp "$SRC/exporters/pcp/$f" "$A/"; done
cp "$PMDA" "$A/"
"$PMDA" -N > "$A/pmns"
"$PMDA" -H > "$A/help"
"$MKSNAP" "$TDIR/snapshot" 4 v2 || fail "mksnap"
chmod 644 "$TDIR/snapshot"
port=$(free_port)
sed -e "s|^PCP_PMCDCONF_PATH=.*|PCP_PMCDCONF_PATH=$S/etc/pmcd.conf|" \
    -e "s|^PCP_PMCDOPTIONS_PATH=.*|PCP_PMCDOPTIONS_PATH=$S/etc/pmcd.options|" \
    -e "s|^PCP_SYSCONF_DIR=.*|PCP_SYSCONF_DIR=$S/etc|" \
    -e "s|^PCP_VAR_DIR=.*|PCP_VAR_DIR=$S/var|" \
    -e "s|^PCP_PMDAS_DIR=.*|PCP_PMDAS_DIR=$S/pmdas|" \
    -e "s|^PCP_RUN_DIR=.*|PCP_RUN_DIR=$S/run|" \
    -e "s|^PCP_TMP_DIR=.*|PCP_TMP_DIR=$S/tmp|" \
    -e "s|^PCP_LOG_DIR=.*|PCP_LOG_DIR=$S/log|" \
    -e "s|^PCP_RC_DIR=.*|PCP_RC_DIR=$S/rc|" \
    -e "s|^PCP_SYSTEMDUNIT_DIR=.*|PCP_SYSTEMDUNIT_DIR=$S/no-systemd|" \
    -e "s|^PCP_PS_PROG=.*|PCP_PS_PROG=$S/bin/ps|" \
    /etc/pcp.conf > "$S/pcp.conf"
cp /var/lib/pcp/pmns/root_pmcd "$S/var/pmns/root"
printf 'pmcd\t2\tdso\tpmcd_init\t/var/lib/pcp/pmdas/pmcd/pmda_pmcd.so\n' > "$S/etc/pmcd.conf"
chown -R pcp:pcp "$S/run" "$S/log" "$S/tmp" "$S/var/config"
cat > "$S/rc/pmcd" <<EOT
#!/bin/sh
# the sandbox's pmcd: (re)start the private one
if [ -f $S/pmcd.pid ] && kill \$(cat $S/pmcd.pid) 2> /dev/null; then
	sleep 0.5
fi
$PMCD -f -c $S/etc/pmcd.conf -n $S/var/pmns/root -i 127.0.0.1 \
    -s $S/run/pmcd.socket -l $S/log/pmcd/pmcd.log > /dev/null 2>&1 &
echo \$! > $S/pmcd.pid
sleep 1
EOT
cat > "$S/bin/pmsignal" <<EOT
#!/bin/sh
# the sandbox's pmsignal: "pmcd" is the private pmcd; pids pass through
# only when they are the sandbox's processes
sig=HUP
while [ \$# -gt 0 ]; do
	case \$1 in -a) shift ;; -s) sig=\$2; shift 2 ;; *) break ;; esac
done
for p in "\$@"; do
	case \$p in
	pmcd) kill -\$sig \$(cat $S/pmcd.pid) ;;
	*[!0-9]*) ;;
	*) grep -q "$S" /proc/\$p/cmdline 2> /dev/null && kill -\$sig \$p ;;
	esac
done
exit 0
EOT
cat > "$S/bin/ps" <<EOT
#!/bin/sh
# the sandbox's ps for pmdaproc.sh: the header and the sandbox's processes
/bin/ps "\$@" | awk 'NR == 1 || index(\$0, "$S")'
EOT
chmod +x "$S/rc/pmcd" "$S/bin/pmsignal" "$S/bin/ps"
export PCP_CONF=$S/pcp.conf PMCD_PORT=$port PATH=$S/bin:$PATH
sh "$S/rc/pmcd"
EXTRA_PIDS+=("$(cat "$S/pmcd.pid")")
wait_for 10 pminfo -f pmcd.version > /dev/null 2>&1 || fail "sandbox pmcd did not start"
pass "a sandboxed pmcd ($PMCD_PORT, $S)"

out=$(cd "$A" && ACCOUNTD_SNAPSHOT=$TDIR/snapshot timeout 120 ./Install < /dev/null 2>&1)
rc=$?
echo "$out" | grep -v '^newhelp\|^accountd\.\|^The \|^$' | sed 's/^/# /' | tail -n 8
[ $rc = 0 ] || fail "Install exited $rc: $(echo "$out" | tail -n 5)"
echo "$out" | grep -q 'long line split' && fail "newhelp had to split help lines"
echo "$out" | grep -Eq 'Check accountd metrics have appeared \.\.\. [0-9]+ metrics and [0-9]+ values' ||
    fail "Install did not see the metrics: $(echo "$out" | tail -n 3)"
# the count docs/exporters.md gives is the one Install reports
n=$(echo "$out" | sed -n 's/.*Check accountd metrics have appeared \.\.\. \([0-9]*\) metrics.*/\1/p')
doc=$(sed -n 's/^\([0-9][0-9]*\) metrics[ ;].*/\1/p' "${ACCT_SRCDIR:-$(dirname "$0")/../..}/docs/exporters.md")
[ "$n" = "$doc" ] || fail "Install reports $n metrics, docs/exporters.md says $doc"
grep -Eq "^accountd[[:space:]]+432[[:space:]]+pipe[[:space:]]+binary[[:space:]]+$A/pmdaaccountd -d 432 +-s $TDIR/snapshot" "$S/etc/pmcd.conf" ||
    fail "no agent line in pmcd.conf: $(cat "$S/etc/pmcd.conf")"
# the new pmcd after Install
EXTRA_PIDS+=("$(cat "$S/pmcd.pid")")
pminfo -f accountd.host.containers.running | grep -q 'value 4' ||
    fail "pmcd does not serve the synthetic containers: $(pminfo -f accountd.host.containers.running 2>&1)"
pass "Install: the agent in pmcd.conf (domain 432, -s the snapshot), its names in the PMNS, 4 containers served"

out=$(cd "$A" && timeout 120 ./Remove < /dev/null 2>&1) || fail "Remove: $out"
echo "$out" | sed 's/^/# /' | tail -n 4
grep -q '^accountd' "$S/etc/pmcd.conf" && fail "agent still in pmcd.conf"
pminfo accountd > /dev/null 2>&1 && fail "accountd.* still in the PMNS"
for _ in $(seq 1 40); do
	pgrep -f "^$A/pmdaaccountd" > /dev/null || break
	sleep 0.05
done
pgrep -f "^$A/pmdaaccountd" > /dev/null && fail "the agent still runs"
pass "Remove: out of pmcd.conf and the PMNS, the agent stopped"
