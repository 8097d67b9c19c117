/* SPDX-License-Identifier: ISC */
/*
 * acctctl: set OpenVZ-style limits on running containers and read them
 * back, through accountd.  See acctctl(8).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctctl.h"
#include "xalloc.h"

extern const struct cmd_entry cmd_attach_entry, cmd_create_entry,
    cmd_destroy_entry, cmd_events_entry, cmd_exec_entry, cmd_help_entry,
    cmd_list_entry, cmd_meminfo_entry, cmd_plan_entry, cmd_set_entry, cmd_show_entry,
    cmd_status_entry, cmd_ubc_entry, cmd_oversell_entry, cmd_cpucheck_entry,
    cmd_graph_entry, cmd_quota_entry, cmd_bill_entry, cmd_top_entry;

static const struct cmd_entry *const commands[] = {
	&cmd_set_entry,
	&cmd_show_entry,
	&cmd_list_entry,
	&cmd_plan_entry,
	&cmd_ubc_entry,
	&cmd_events_entry,
	&cmd_meminfo_entry,
	&cmd_quota_entry,
	&cmd_top_entry,
	&cmd_oversell_entry,
	&cmd_cpucheck_entry,
	&cmd_graph_entry,
	&cmd_bill_entry,
	&cmd_create_entry,
	&cmd_destroy_entry,
	&cmd_exec_entry,
	&cmd_attach_entry,
	&cmd_status_entry,
	&cmd_help_entry,
};

const char *opt_socket;
bool opt_json;

const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; i < nitems(commands); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void usage_all(FILE *);
void
usage_all(FILE *f)
{
	fprintf(f, "usage: acctctl [-j] [-s socket] command [arguments]\n\n");
	for (size_t i = 0; i < nitems(commands); i++)
		fprintf(f, "  %-8s %-28s %s\n", commands[i]->name,
		    commands[i]->args, commands[i]->summary);
	fprintf(f, "\n  -j  JSON output    -s  accountd's control socket    "
	    "-h, --help  this list\n"
	    "  acctctl COMMAND --help   a command's options\n"
	    "  acctctl help params      lists the parameters set accepts\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cmd_entry *c;
	struct cmd_args a;
	int ch, r;

	/* global options come before the command */
	while ((ch = getopt_long(argc, argv, "+hjs:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			opt_json = true;
			break;
		case 's':
			opt_socket = optarg;
			break;
		case 'h':
			usage_all(stdout);
			return EX_OK;
		default:
			usage_all(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage_all(stderr);
		return EX_USAGE;
	}
	if ((c = cmd_find(argv[optind])) == NULL) {
		/* one line, as every refusal: the commands by name */
		fprintf(stderr, "acctctl: unknown command '%s' (accepted:",
		    argv[optind]);
		for (size_t i = 0; i < nitems(commands); i++)
			fprintf(stderr, "%s %s", i ? "," : "",
			    commands[i]->name);
		fprintf(stderr, "; acctctl help describes them)\n");
		return EX_USAGE;
	}
	if ((r = args_parse(c, argc - optind, argv + optind, &a)) == ARGS_HELP) {
		args_help(c, stdout);
		return EX_OK;
	}
	if (r != EX_OK)
		return r;
	if (args_known(c, "-j") && args_has(&a, "-j"))
		opt_json = true;
	r = c->exec(&a);
	args_free(&a);
	return r;
}
