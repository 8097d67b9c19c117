# shellcheck shell=bash
# Shared code of the security-files/cgroup/journal tests (sourced after
# tests/integration/lib.sh): an operator (a member of socket_group who
# is not root) and raw requests.

# Run a command as the operator: nobody, in group nogroup, which the
# daemon gets as socket_group (start_daemon -o socket_group=nogroup).
OP_USER=nobody OP_GROUP=nogroup
require_operator() {
	command -v setpriv > /dev/null || skip "no setpriv (util-linux)"
	id "$OP_USER" > /dev/null 2>&1 || skip "no user $OP_USER"
	getent group "$OP_GROUP" > /dev/null || skip "no group $OP_GROUP"
	prepare_tdir
	chmod 0711 "$TDIR"	# the operator reaches the socket in it
}
as_op() {
	setpriv --reuid="$OP_USER" --regid="$OP_GROUP" --clear-groups "$@"
}

# One request frame (JSON) to SOCKET; prints the reply's JSON payload.
# perl is part of every Debian (perl-base), so no helper program.
raw_req() {	# SOCKET JSON
	perl -MIO::Socket::UNIX -e '
		my ($path, $json) = @ARGV;
		my $s = IO::Socket::UNIX->new(Peer => $path) or die "connect: $!\n";
		print $s pack("a4nnNN", "ACTD", 1, 1, length($json), 1) . $json;
		my $h = ""; read($s, $h, 16) == 16 or die "no reply\n";
		my (undef, undef, undef, $len) = unpack("a4nnNN", $h);
		my $p = ""; read($s, $p, $len); print "$p\n";' "$1" "$2"
}
