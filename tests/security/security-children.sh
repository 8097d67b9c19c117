#!/bin/bash
# Issue 14, "process handling has one owner": every child of accountd is
# fork+exec'd by spawn.c with the descriptors it is given and no other.
# (1) The exporter, the ledger writer and the Alertmanager notifier run
# as users other than root, with no capability, no_new_privs, no
# supplementary group and none of accountd's files open; the exporter and
# the ledger run as two different users, and the ledger's file cannot be
# written by the exporter's.  (2) The quota count runs as an exec'd
# `accountd --quota-count`, root with CAP_DAC_READ_SEARCH and CAP_FOWNER
# only, and does not hold the pid file: before, the forked count
# inherited its lock, and accountd killed with -9 during a long count
# could not be started again until the count ended.
. "$(dirname "$0")/../integration/lib.sh"
require_cgroups
EXPORTER=${ACCT_EXPORTER:-${ACCT_BIN:-.}/accountd-exporter}
LEDGER_BIN=${ACCT_LEDGER:-${ACCT_BIN:-.}/accountd-ledger}
[ -x "$EXPORTER" ] || skip "no accountd-exporter at $EXPORTER"
[ -x "$LEDGER_BIN" ] || skip "no accountd-ledger at $LEDGER_BIN"
id nobody > /dev/null 2>&1 || skip "no user nobody for the exporter"
[ -x "$HELPERS/sectool" ] || fail "no sectool in $HELPERS"
Q=$HELPERS/qtool
[ -x "$Q" ] || fail "no qtool at $Q"
prepare_tdir
chmod 755 "$TDIR"	# the helpers reach their folders and the snapshot
db=$TDIR/ledger/ledger.db
# a ledger folder left to nobody by an older accountd (both users were
# nobody): it must be handed to the ledger's user
mkdir "$TDIR/ledger"
chown nobody "$TDIR/ledger"

"$HELPERS/sectool" hold "$TDIR/am.port" 120 &
BGPIDS+=("$!")
wait_for 5 test -s "$TDIR/am.port" || fail "Alertmanager stand-in did not start"

child_of() {	# PATTERN: the child of accountd whose command line matches
	local f c
	# fast (a count may last a tenth of a second): the kernel's list
	if ls /proc/"$DPID"/task/*/children > /dev/null 2>&1; then
		for f in $(cat /proc/"$DPID"/task/*/children 2> /dev/null); do
			c=$(tr '\0' ' ' < "/proc/$f/cmdline" 2> /dev/null)
			case $c in *$1*) echo "$f"; return ;; esac
		done
		return
	fi
	for f in /proc/[0-9]*/status; do
		grep -q "^PPid:[[:space:]]*$DPID\$" "$f" 2> /dev/null || continue
		c=$(tr '\0' ' ' < "${f%/status}/cmdline" 2> /dev/null)
		case $c in *$1*) f=${f%/status}; echo "${f#/proc/}"; return ;; esac
	done
}

field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
# descriptors that are accountd's: its pid file, sockets, store, log
accountd_fds() {	# PID
	local f l
	for f in /proc/"$1"/fd/*; do
		l=$(readlink "$f" 2> /dev/null) || continue
		case $l in
		*accountd.pid|*accountd.sock|*accountd.rsock|*beancounters.db|\
		*events.log|*journal*) echo "$l" ;;
		esac
	done
	# and every socket accountd holds (by inode)
	for f in /proc/"$1"/fd/*; do
		l=$(readlink "$f" 2> /dev/null) || continue
		case $l in socket:*) ls -l /proc/"$DPID"/fd 2> /dev/null |
		    grep -qF -- "$l" && echo "accountd's $l" ;; esac
	done
}

lu=accountd-ledger
id "$lu" > /dev/null 2>&1 || lu=daemon	# accountd falls back to it
if ! id "$lu" > /dev/null 2>&1; then
	# a minimal system (the VM's busybox) has only root and nobody
	note "no user accountd-ledger or daemon: the helpers' part is left out here"
else
start_daemon -o exporter=yes -o exporter_path="$EXPORTER" \
    -o http_listen="127.0.0.1:$(free_port)" -o rrd_dir= \
    -o ledger=yes -o ledger_program="$LEDGER_BIN" -o ledger_path="$db" \
    -o ledger_interval=1 \
    -o alertmanager_url="http://127.0.0.1:$(cat "$TDIR/am.port")/api/v2/alerts"


check_unprivileged() {	# NAME PID USER
	local uid want
	want=$(id -u "$3")
	uid=$(field "$2" Uid)
	[ "$uid" = "$want	$want	$want	$want" ] ||
	    fail "$1 (pid $2): Uid '$uid', not $3 ($want) in every slot"
	g=$(field "$2" Groups | tr -d ' ')
	[ "$g" = "$(id -g "$3")" ] || [ -z "$g" ] ||
	    fail "$1: supplementary groups '$g'"
	for c in CapInh CapPrm CapEff CapAmb; do
		[ "$(field "$2" $c)" = 0000000000000000 ] ||
		    fail "$1: $c $(field "$2" $c)"
	done
	[ "$(field "$2" NoNewPrivs)" = 1 ] || fail "$1: no no_new_privs"
	[ -z "$(accountd_fds "$2")" ] ||
	    fail "$1 holds accountd's descriptors: $(accountd_fds "$2")"
	pass "$1 runs as $3 ($want), no capability, no_new_privs, none of accountd's descriptors"
}

for n in exporter ledger notifier; do
	case $n in
	exporter) pat=accountd-exporter ;;
	ledger) pat=accountd-ledger ;;
	notifier) pat=--notifier ;;
	esac
	pid=
	for _ in $(seq 1 100); do
		pid=$(child_of "$pat")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || fail "no $n child of accountd: $(tail -5 "$TDIR/daemon.log")"
	case $n in
	exporter) check_unprivileged exporter "$pid" nobody ;;
	ledger) check_unprivileged ledger "$pid" "$lu"; lpid=$pid ;;
	notifier) check_unprivileged notifier "$pid" nobody ;;
	esac
done

# the ledger's folder and file are the ledger user's; the exporter's user
# cannot write either
wait_for 10 test -s "$db" || fail "no ledger file $db: $(tail -5 "$TDIR/daemon.log")"
[ "$(stat -c %U "$TDIR/ledger")" = "$lu" ] ||
    fail "the ledger folder is $(stat -c %U "$TDIR/ledger")'s, not $lu's"
grep -q "handing it and its files to $lu" "$TDIR/daemon.log" ||
    fail "no log line for the folder taken from nobody"
# ctlabuse exec: as nobody (65534), no groups (busybox has no setpriv --reuid)
[ "$(id -u nobody)" = 65534 ] || skip "nobody is not uid 65534 (ctlabuse exec drops to 65534)"
"$HELPERS/ctlabuse" exec /bin/sh -c "test -r '$db'" ||
    fail "nobody cannot run a shell or read $db: the checks below would prove nothing"
if "$HELPERS/ctlabuse" exec /bin/sh -c "echo x >> '$db'" 2> /dev/null; then
	fail "nobody (the exporter's user) could append to the ledger $db"
fi
if "$HELPERS/ctlabuse" exec /bin/sh -c "echo x > '$TDIR/ledger/new'" 2> /dev/null; then
	fail "nobody could make a file in the ledger's folder"
fi
pass "the ledger ($lu) and its folder are not writable by the exporter's user (nobody)"

# the same user for both is refused
out=$("$ACCOUNTD" -n -f /dev/null -o exporter=yes -o ledger=yes \
    -o exporter_user=nobody -o ledger_user=nobody 2>&1) &&
    fail "exporter_user = ledger_user accepted"
case $out in *"must not be able to write the billing ledger"*) ;;
*) fail "exporter_user = ledger_user: $out" ;; esac
pass "one user for the exporter and the ledger is refused: $out"
stop_daemon
fi

# ---- (2) the quota count --------------------------------------------------
NFILES=${ACCT_QUOTA_FILES:-200000}
[ "${ACCT_IN_VM:-0}" = 1 ] && NFILES=${ACCT_QUOTA_FILES:-50000}
tree=$TDIR/tree
mkdir -p "$tree"
out=$("$Q" mkfiles "$tree" "$NFILES" 3000)
[ "$(sed -n 's/.*errno=//p' <<<"$out")" = 0 ] || fail "making $NFILES files: $out"
start_daemon -o quota_rescan=1
actl create q1 --private "$tree" --diskspace 100G:100G || fail "create q1"
mech=$(actl -j quota q1 | sed -n 's/.*"mechanism": "\(.*\)".*/\1/p')
[ "$mech" = userspace ] || skip "the tree's filesystem has project quota ($mech)"
cpid=
for _ in $(seq 1 2000); do
	cpid=$(child_of --quota-count)
	# one look at it: a count may end at any moment
	[ -n "$cpid" ] && cfds=$(accountd_fds "$cpid") &&
	    cat "/proc/$cpid/status" > "$TDIR/count.status" 2> /dev/null &&
	    grep -q '^CapEff' "$TDIR/count.status" && break
	cpid=
done
if [ -z "$cpid" ]; then
	# the VM's emulated CPU walks /proc slower than it counts 50,000 files
	[ "${ACCT_IN_VM:-0}" = 1 ] &&
	    skip "no count of $NFILES files seen running in the VM (it ends before a look at /proc finds it)"
	fail "no count seen running (accountd --quota-count)"
fi
cfield() { sed -n "s/^$1:[[:space:]]*//p" "$TDIR/count.status"; }
uid=$(cfield Uid)
eff=$(cfield CapEff)
bnd=$(cfield CapBnd)
note "count pid $cpid: Uid $uid, CapEff $eff, CapBnd $bnd, NoNewPrivs $(cfield NoNewPrivs)"
# CAP_DAC_READ_SEARCH (2) and CAP_FOWNER (3): 0x0c
[ "$eff" = 000000000000000c ] || fail "the count's capabilities: $eff, not 000000000000000c"
[ "$bnd" = 000000000000000c ] || fail "the count's bounding set: $bnd"
[ "$(cfield NoNewPrivs)" = 1 ] || fail "the count: no no_new_privs"
[ -z "$cfds" ] || fail "the count holds accountd's descriptors: $cfds"
pass "the count is exec'd, root with CAP_DAC_READ_SEARCH and CAP_FOWNER only, none of accountd's descriptors"

# kill -9 during a count, start again at once
kill -KILL "$DPID"
wait "$DPID" 2> /dev/null
DPID=
start_daemon -o quota_rescan=1
pass "accountd killed with -9 during a count starts again at once"
