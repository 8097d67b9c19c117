/* SPDX-License-Identifier: ISC */
/*
 * The --NAME VALUE options of set, create and plan, from the parameter
 * table.  Values are checked here with the daemon's own parser, so a typo
 * is reported even when accountd is not running; accountd checks again.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "acctctl.h"
#include "params.h"

/*
 * Take every --NAME VALUE (or --NAME=VALUE) that names a parameter out of
 * argv and add it to `params`; other arguments stay, in order.
 */
int
parse_param_opts(const char *cmd, int *argc, char ***argv,
    struct json_object *params, bool *any)
{
	char **av = *argv;
	int ac = *argc, out = 0;

	for (int i = 0; i < ac; i++) {
		const struct param_def *d;
		char name[64];
		const char *val, *eq;
		struct ct_params scratch;
		struct aerr err = { 0 };

		if (strncmp(av[i], "--", 2) != 0 || av[i][2] == '\0') {
			av[out++] = av[i];
			continue;
		}
		eq = strchr(av[i] + 2, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - av[i] - 2) :
		    (int)strlen(av[i] + 2), av[i] + 2);
		if ((d = param_by_name(name)) == NULL) {
			av[out++] = av[i];	/* a flag of the command */
			continue;
		}
		if (eq != NULL) {
			val = eq + 1;
		} else {
			if (i + 1 >= ac)
				return usage_error(cmd, "--%s needs a value (%s)",
				    name, d->help);
			val = av[++i];
		}
		memset(&scratch, 0, sizeof(scratch));
		if (param_parse(d, val, &scratch, &err) < 0) {
			fprintf(stderr, "acctctl %s: %s\n", cmd, err.msg);
			return EX_USAGE;
		}
		json_object_object_add(params, name, json_object_new_string(val));
		*any = true;
	}
	*argc = out;
	return EX_OK;
}
