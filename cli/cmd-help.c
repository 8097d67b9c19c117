/* SPDX-License-Identifier: ISC */
/*
 * acctctl help [COMMAND | params]
 * `help params` prints the parameter table: syntax, unit, default and
 * the cgroup v1 and v2 mappings (docs/mapping.md is made from it).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "acctctl.h"
#include "params.h"

void usage_all(FILE *);

static void
print_params(bool markdown)
{
	static const char *const groups[] = { "memory", "beancounters", "CPU",
		"I/O", "disk quota" };

	if (markdown) {
		printf("| parameter | CTID.conf key | unit | default | cgroup v1 "
		    "| cgroup v2 |\n|---|---|---|---|---|---|\n");
		for (unsigned i = 0; i < P_ROWS; i++) {
			const struct param_def *d = &param_table[i];
			char dflt[32];

			if (d->kind == PK_SINGLE && d->dflt != VAL_UNLIMITED)
				snprintf(dflt, sizeof(dflt), "%llu",
				    (unsigned long long)d->dflt);
			else
				snprintf(dflt, sizeof(dflt), "%s",
				    d->kind == PK_PAIR ? "unlimited" : "-");
			printf("| %s | %s | %s | %s | %s | %s |\n", d->name,
			    d->key ? d->key : "(shortcut)",
			    param_unit_name(d->unit), dflt,
			    d->v1 ? d->v1 : "not enforced",
			    d->v2 ? d->v2 : "not enforced");
		}
		return;
	}
	for (int g = PG_MEMORY; g <= PG_DISK; g++) {
		printf("%s:\n", groups[g]);
		for (unsigned i = 0; i < P_ROWS; i++) {
			const struct param_def *d = &param_table[i];

			if ((int)d->group != g)
				continue;
			printf("  --%-15s %s\n", d->name, d->help);
			if (d->v1 || d->v2)
				printf("  %-17s v1: %s; v2: %s\n", "",
				    d->v1 ? d->v1 : "not enforced",
				    d->v2 ? d->v2 : "not enforced");
			else
				printf("  %-17s not enforced by mainline cgroups "
				    "(stored and shown)\n", "");
		}
	}
	printf("\nValues: N or BARRIER:LIMIT; one value sets both; suffixes K M "
	    "G T (x1024), P (pages), B (bytes); unlimited; fractions like 2.2G.\n"
	    "Parameters named num* take no suffix.\n");
}

static int
cmd_help(struct cmd_args *a)
{
	const struct cmd_entry *c;

	if (a->npos == 0) {
		if (args_has(a, "--markdown"))
			return usage_error("help", "--markdown goes with params");
		usage_all(stdout);
		return EX_OK;
	}
	if (strcmp(a->pos[0], "params") == 0) {
		print_params(args_has(a, "--markdown"));
		return EX_OK;
	}
	if ((c = cmd_find(a->pos[0])) == NULL)
		return usage_error("help", "unknown command '%s'", a->pos[0]);
	args_help(c, stdout);	/* as acctctl COMMAND --help */
	return EX_OK;
}

static const struct cmd_opt opts[] = {
	{ "--markdown", NULL, "with params: the table of docs/mapping.md" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_help_entry = {
	"help", "[COMMAND | params]", "this list, or the parameters",
	cmd_help, 0, opts, 1
};
