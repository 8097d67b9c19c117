#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The man pages must lint clean with mandoc at WARNING level or above (the
# STYLE messages about OpenVZ's own pages, vzctl(8) and friends, not being
# installed are expected).  Skips (77) where mandoc is not installed.

srcdir=${ACCT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
pages="accountd.8 acctctl.8 accountd.conf.5 ctid.conf.5 accountd-exporter.8
    accountd-ledger.8 pmdaaccountd.1 accountd-hook.8"

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed (apt-get install mandoc)"
	exit 77
fi

cd "$srcdir/docs" || exit 99
# Linted together so that the pages' references to each other resolve.
out=$(mandoc -T lint -W warning $pages 2>&1)
rc=$?
if [ -n "$out" ] || [ "$rc" -ne 0 ]; then
	echo "mandoc -T lint -W warning $pages (exit $rc):"
	echo "$out"
	exit 1
fi
echo "ok: $pages lint clean"
exit 0
