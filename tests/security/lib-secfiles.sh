# shellcheck shell=bash
# Shared code of the security-files/cgroup/journal tests (sourced after
# tests/integration/lib.sh): an operator (a member of socket_group who
# is not root) and raw requests, through tests/helpers/sectool so that
# they run the same on the host and in the VM (busybox, no perl).
SECTOOL=$HELPERS/sectool

# The operator: nobody, in group nogroup, which the daemon gets as
# socket_group (start_daemon -o socket_group=nogroup).
OP_USER=nobody OP_GROUP=nogroup
require_operator() {
	[ -x "$SECTOOL" ] || fail "no sectool at $SECTOOL"
	id "$OP_USER" > /dev/null 2>&1 || skip "no user $OP_USER"
	grep -q "^$OP_GROUP:" /etc/group || skip "no group $OP_GROUP"
	prepare_tdir
	chmod 0711 "$TDIR"	# the operator reaches the socket in it
}
as_op() { "$SECTOOL" runas "$OP_USER" "$@"; }

# One request frame (JSON) to SOCKET; prints the reply's JSON payload.
raw_req() { "$SECTOOL" req "$1" "$2"; }
