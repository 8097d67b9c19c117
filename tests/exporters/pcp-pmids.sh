#!/bin/bash
# The PCP agent's metric identifiers (PMIDs) do not move: every metric of
# tests/exporters/pcp-pmids.list keeps its cluster:item, no two metrics
# share one, a number marked removed is not used again, and a new metric
# must be added to the list (so that its number is fixed from then on).
# Reads the table through `pmdaaccountd -N` (the PMNS it generates); needs
# no pmcd and no root.
set -u
B=${ACCT_BUILDDIR:-.}
S=${ACCT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PMDA=$B/exporters/pcp/pmdaaccountd
LIST=$S/tests/exporters/pcp-pmids.list
[ -x "$PMDA" ] || { echo "SKIP: $PMDA is not built (no libpcp)"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
now=$(mktemp)
trap 'rm -f "$now"' EXIT
"$PMDA" -N | awk '
	/^accountd[.a-z_0-9]* \{$/ { prefix = $1; next }
	$2 ~ /^ACCOUNTD:/ { sub(/^ACCOUNTD:/, "", $2); print prefix "." $1, $2 }
' | sort > "$now" || fail "pmdaaccountd -N"
[ -s "$now" ] || fail "pmdaaccountd -N printed no metrics"
dup=$(awk '{ print $2 }' "$now" | sort | uniq -d)
[ -z "$dup" ] || fail "PMIDs used twice: $dup"
bad=0
while read -r name id state; do
	case $name in '#'*|'') continue ;; esac
	got=$(awk -v n="$name" '$1 == n { print $2 }' "$now")
	if [ "${state:-}" = removed ]; then
		used=$(awk -v i="$id" '$2 == i { print $1 }' "$now")
		[ -z "$used" ] || { echo "# $id of the removed $name is used again by $used"; bad=1; }
	elif [ "$got" != "$id" ]; then
		echo "# $name: ${got:-gone} (was $id; a removed metric is marked removed in the list)"
		bad=1
	fi
done < "$LIST"
[ "$bad" = 0 ] || fail "PMIDs changed"
new=$(awk 'NR == FNR { if ($1 !~ /^#/) known[$1] = 1; next } !($1 in known)' "$LIST" "$now")
[ -z "$new" ] || fail "not in tests/exporters/pcp-pmids.list (add them): $new"
echo "ok - $(wc -l < "$now") PCP metrics, each with the PMID of the list, none twice"
