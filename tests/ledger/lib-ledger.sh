# shellcheck shell=bash
# Shared code of the ledger's shell tests (sourced): paths of the built
# programs, a private folder removed at exit, pass/fail/skip as the other
# tiers print them.
set -u
T_NAME=$(basename "$0" .sh)
B=${ACCT_BUILDDIR:-.}
S=${ACCT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ACCTCTL=${ACCTCTL:-$B/cli/acctctl}
LEDGER=$B/ledger/accountd-ledger
FEED=$B/tests/ledger/ledger-feed
FIXTURE=$B/tests/ledger/ledger-fixture
TDIR=$(mktemp -d "${TMPDIR:-/tmp}/ledger-$T_NAME.XXXXXX")
LPIDS=()

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "not ok - $*"; exit 1; }
pass() { echo "ok - $*"; }
note() { echo "# $*"; }

ledger_cleanup() {
	local p
	for p in "${LPIDS[@]}"; do kill -KILL "$p" 2> /dev/null; done
	wait 2> /dev/null
	[ -n "${MNT:-}" ] && mountpoint -q "$MNT" && umount "$MNT"
	rm -rf "$TDIR"
}
trap ledger_cleanup EXIT

for p in "$ACCTCTL" "$LEDGER" "$FEED" "$FIXTURE"; do
	[ -x "$p" ] || skip "$p is not built"
done

wait_for() {	# SECONDS COMMAND...: poll until the command succeeds
	local n=$(( $1 * 20 )); shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}

# the sum of a column of the raw records of one container
raw_sum() {	# LEDGER CT COLUMN
	"$ACCTCTL" bill --ledger "$1" --raw -o csv --from 2000-01-01 \
	    --to 2100-01-01 --ct "$2" |
	    awk -F, -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++)
	        if ($i == col) c = i; next } { s += $c } END { printf "%d\n", s }'
}

status_is() {	# STATUSFILE STATE
	grep -q "^state=$2\$" "$1" 2> /dev/null
}

integrity() {	# LEDGER: "ok" when SQLite finds the file sound
	# without the sqlite3 command nothing is checked: that is no "ok"
	if command -v sqlite3 > /dev/null; then
		sqlite3 -readonly "$1" 'PRAGMA integrity_check' 2>&1
	else
		echo "not checked: no sqlite3 command (scripts/deps.sh installs it)"
	fi
}
