/* SPDX-License-Identifier: ISC */
/*
 * acctctl bill's options: acctctl parses and documents them (cmd-bill.c)
 * before it runs acctctl-bill, which parses the same list again.
 */
#include "config.h"

#include "acctctl.h"

const struct cmd_opt bill_opts[] = {
	{ "--from", "DATE", "from this day or time, UTC (default: this "
	    "month)" },
	{ "--to", "DATE", "up to this day or time, UTC, not included" },
	{ "--rates", "FILE", "the prices (docs/billing.md)" },
	{ "--ct", "NAME", "one container" },
	{ "-o", "FORMAT", "text, csv or json; with --raw csv or jsonl" },
	{ "--raw", NULL, "the usage records, not charges" },
	{ "--status", NULL, "the ledger and its writer's state" },
	{ "--ledger", "FILE|URI", "this ledger database, or a fleet's "
	    "(postgresql://...)" },
	{ "--host", "ID", "a fleet ledger's host only (again for more)" },
	{ "-j", NULL, "JSON output (as -o json)" },
	{ NULL, NULL, NULL }
};
