/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of cli/args.c, acctctl's one option parser, against specs
 * made here: flags and values, every spelling, --long=value, a missing
 * value, an unknown option (and the words of its error), too many
 * positional arguments, "--", CMD_REST (exec), the parameters'
 * --NAME VALUE checked with the daemon's parser, -h/--help, and the help
 * and synopsis printed from the spec.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acctctl.h"
#include "../tap.h"

static char last_err[512];

/* usage_error (args.c) names the synopsis of acctctl's command; here none */
const struct cmd_entry *
cmd_find(const char *name)
{
	(void)name;
	return NULL;
}

static int
nop(struct cmd_args *a)
{
	(void)a;
	return 0;
}

static const struct cmd_opt opts[] = {
	{ "-a --all", NULL, "all of them" },
	{ "-o", "FIELDS", "these fields" },
	{ "--cgroup", "PATH", "this cgroup" },
	{ "-rc", NULL, "an OpenVZ multi-letter option" },
	{ NULL, NULL, NULL }
};

static const struct cmd_entry plain = { "plain", "CT", "a test", nop, 0,
	opts, 1 };
static const struct cmd_entry params = { "withparams", "CT", "a test", nop,
	CMD_PARAMS, opts, 1 };
static const struct cmd_entry rest = { "rest", "CT COMMAND ...", "a test",
	nop, CMD_REST, NULL, -1 };

/* parse a space-separated command line; its error's first line, without
 * "acctctl ", in last_err */
static int
run(const struct cmd_entry *c, const char *line, struct cmd_args *a)
{
	static char buf[512];
	static char *argv[32];
	FILE *tmp = tmpfile();
	int argc = 0, saved = dup(2), r;
	char *nl;

	snprintf(buf, sizeof(buf), "%s %s", c->name, line);
	last_err[0] = '\0';
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	fflush(stderr);
	dup2(fileno(tmp), 2);
	r = args_parse(c, argc, argv, a);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	if (fgets(last_err, sizeof(last_err), tmp) != NULL &&
	    strncmp(last_err, "acctctl ", 8) == 0)
		memmove(last_err, last_err + 8, strlen(last_err + 8) + 1);
	if ((nl = strchr(last_err, '\n')) != NULL)
		*nl = '\0';
	fclose(tmp);
	return r;
}

static void
test_plain(void)
{
	struct cmd_args a;

	ok(run(&plain, "-a -o ctid,ram 101", &a) == EX_OK, "flags and values");
	ok(args_has(&a, "-a") && args_has(&a, "--all"), "a flag by either "
	    "spelling");
	is_str(args_get(&a, "-o"), "ctid,ram", "a value");
	ok(!args_has(&a, "--cgroup") && args_get(&a, "--cgroup") == NULL,
	    "an option not given");
	ok(a.npos == 1 && strcmp(a.pos[0], "101") == 0, "the positional");
	args_free(&a);

	ok(run(&plain, "--all --cgroup=/lxc/x 101", &a) == EX_OK &&
	    args_has(&a, "-a"), "the long spelling");
	is_str(args_get(&a, "--cgroup"), "/lxc/x", "--long=value");
	args_free(&a);

	ok(run(&plain, "-o a -o b", &a) == EX_OK, "an option twice");
	is_str(args_get(&a, "-o"), "b", "the last one wins");
	args_free(&a);

	ok(run(&plain, "-rc", &a) == EX_OK && args_has(&a, "-rc"),
	    "a multi-letter single-dash option");
	args_free(&a);

	ok(run(&plain, "-o", &a) == EX_USAGE, "a missing value: exit 2");
	is_str(last_err, "plain: -o needs a value (FIELDS)", "names it and "
	    "what it takes");

	ok(run(&plain, "-x 101", &a) == EX_USAGE, "an unknown option");
	is_str(last_err, "plain: unknown argument '-x' (accepted: -a -o "
	    "--cgroup -rc -h)", "names it and what is accepted");
	ok(run(&plain, "-ar", &a) == EX_USAGE, "no bundling of flags");

	ok(run(&plain, "--all=yes", &a) == EX_USAGE, "a flag given a value");
	is_str(last_err, "plain: --all takes no value", "says so");

	ok(run(&plain, "101 102", &a) == EX_USAGE, "too many positional");
	is_str(last_err, "plain: unexpected argument '102' (accepted: CT)",
	    "names the extra one");

	ok(run(&plain, "-- -5", &a) == EX_OK && a.npos == 1 &&
	    strcmp(a.pos[0], "-5") == 0, "-- ends the options");
	args_free(&a);
	ok(run(&plain, "-", &a) == EX_OK && a.npos == 1,
	    "a lone - is positional (standard input)");
	args_free(&a);

	ok(run(&plain, "-x -h", &a) == EX_USAGE, "an error before -h stands");
	ok(run(&plain, "101 -h", &a) == ARGS_HELP, "-h");
	ok(run(&plain, "--help", &a) == ARGS_HELP, "--help");
	ok(args_known(&plain, "--all") && !args_known(&plain, "-j"),
	    "args_known");
}

static void
test_params(void)
{
	struct cmd_args a;
	struct json_object *v;

	ok(run(&params, "101 --ram 1G --cpulimit=50 -a", &a) == EX_OK,
	    "parameters among the options");
	ok(json_object_object_get_ex(a.params, "ram", &v) &&
	    strcmp(json_object_get_string(v), "1G") == 0, "--ram VALUE");
	ok(json_object_object_get_ex(a.params, "cpulimit", &v) &&
	    strcmp(json_object_get_string(v), "50") == 0, "--cpulimit=VALUE");
	ok(args_has(&a, "-a"), "with the command's own flag");
	args_free(&a);

	ok(run(&params, "101 --ram lots", &a) == EX_USAGE,
	    "a bad value is refused before any request");
	ok(run(&params, "101 --ram", &a) == EX_USAGE &&
	    strstr(last_err, "--ram needs a value") != NULL,
	    "a parameter without its value");
	ok(run(&params, "101 --bananas 3", &a) == EX_USAGE, "an unknown "
	    "--NAME");
	ok(strstr(last_err, "unknown option or argument '--bananas' (acctctl "
	    "help params lists the parameters)") != NULL,
	    "points to the parameter list");
	ok(run(&plain, "101 --ram 1G", &a) == EX_USAGE, "a command without "
	    "CMD_PARAMS takes no parameter");
}

static void
test_rest(void)
{
	struct cmd_args a;

	ok(run(&rest, "101 ls -l --help", &a) == EX_OK && a.npos == 4,
	    "CMD_REST: after the first positional everything is positional");
	ok(strcmp(a.pos[2], "-l") == 0 && strcmp(a.pos[3], "--help") == 0,
	    "the command's own options are left alone");
	args_free(&a);
	ok(run(&rest, "101 -- ls", &a) == EX_OK && a.npos == 2 &&
	    strcmp(a.pos[1], "ls") == 0, "CT -- COMMAND");
	args_free(&a);
	ok(run(&rest, "101 ls --", &a) == EX_OK && a.npos == 3 &&
	    strcmp(a.pos[2], "--") == 0, "a -- of the command is kept");
	args_free(&a);
	ok(run(&rest, "--help", &a) == ARGS_HELP, "help before the CT");
}

static void
test_help(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	args_help(&params, f);
	fclose(f);
	ok(strstr(buf, "usage: acctctl withparams [-a] [-o FIELDS] [--cgroup "
	    "PATH] [-rc] [--PARAM VALUE ...] CT\n") == buf, "the synopsis, "
	    "from the spec");
	ok(strstr(buf, "  -a, --all               all of them\n") != NULL,
	    "every spelling on the option's line");
	ok(strstr(buf, "  -o FIELDS               these fields\n") != NULL,
	    "a value's name");
	ok(strstr(buf, "  --PARAM VALUE") != NULL, "the parameters");
	ok(strstr(buf, "  -h, --help              this help\n") != NULL,
	    "-h itself");
	free(buf);
}

int
main(void)
{
	test_plain();
	test_params();
	test_rest();
	test_help();
	return done_testing();
}
