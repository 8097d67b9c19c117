/* SPDX-License-Identifier: ISC */
/*
 * One --NAME VALUE of set, create and plan, from the parameter table
 * (args.c finds them).  Values are checked here with the daemon's own
 * parser, so a typo is reported even when accountd is not running;
 * accountd checks again.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "acctctl.h"
#include "params.h"

int
param_opt_add(const char *cmd, const char *name, const char *val,
    struct json_object *params)
{
	const struct param_def *d = param_by_name(name);
	struct ct_params scratch;
	struct aerr err = { 0 };

	if (val == NULL)
		return usage_error(cmd, "--%s needs a value (%s)", name, d->help);
	memset(&scratch, 0, sizeof(scratch));
	if (param_parse(d, val, &scratch, &err) < 0) {
		fprintf(stderr, "acctctl %s: %s\n", cmd, err.msg);
		return EX_USAGE;
	}
	json_object_object_add(params, name, json_object_new_string(val));
	return EX_OK;
}
