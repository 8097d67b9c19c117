/* SPDX-License-Identifier: ISC */
/*
 * acctctl bill: runs acctctl-bill (acctctl-bill.c), the part of acctctl
 * that reads the billing ledger with SQLite and libpq, so that the other
 * commands do not load them.  acctctl's -j is passed on as bill's own.
 */
#include "config.h"

#include <stdlib.h>

#include "acctctl.h"
#include "xalloc.h"

static int
cmd_bill_run(struct cmd_args *a)
{
	char **argv = xcalloc((size_t)a->argc + 2, sizeof(*argv));
	int n = 0;

	for (int i = 0; i < a->argc; i++)
		argv[n++] = a->argv[i];
	if (opt_json)
		argv[n++] = (char *)"-j";
	argv[n] = NULL;
	return helper_exec("acctctl-bill", argv);	/* only on failure */
}

const struct cmd_entry cmd_bill_entry = {
	"bill", BILL_ARGS, BILL_SUMMARY, cmd_bill_run, 0, bill_opts, 0
};
