/* SPDX-License-Identifier: ISC */
/*
 * acctctl set CT --PARAM VALUE ... [--save] [--applyconfig NAME]
 *                [--reset_ub] [--force]
 * Changes the running container at once; with --save also its CTID.conf.
 */
#include "config.h"

#include <string.h>

#include "acctctl.h"

static int
cmd_set(struct cmd_args *a)
{
	struct json_object *req, *reply;
	const char *sample = args_get(a, "--applyconfig");
	bool reset = args_has(a, "--reset_ub");
	int r;

	if (a->npos == 0)
		return usage_error("set", "no container given");
	if (json_object_object_length(a->params) == 0 && sample == NULL &&
	    !reset)
		return usage_error("set", "nothing to set");
	req = client_req("set", a->pos[0]);
	json_object_object_add(req, "params", json_object_get(a->params));
	if (args_has(a, "--save"))
		json_object_object_add(req, "save", json_object_new_boolean(1));
	if (reset)
		json_object_object_add(req, "reset_ub", json_object_new_boolean(1));
	if (args_has(a, "--force"))
		json_object_object_add(req, "force", json_object_new_boolean(1));
	if (sample)
		json_object_object_add(req, "applyconfig",
		    json_object_new_string(sample));
	r = client_call(req, &reply);
	json_object_put(req);
	json_object_put(reply);
	return r;
}

static const struct cmd_opt opts[] = {
	{ "--save", NULL, "also write the container's CTID.conf" },
	{ "--applyconfig", "NAME", "apply the sample ve-NAME.conf-sample" },
	{ "--reset_ub", NULL, "reset the beancounters' maxheld and failcnt" },
	{ "--force", NULL, "admit a guarantee that does not fit (logged)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_set_entry = {
	"set", "CT", "change a container's limits", cmd_set, CMD_PARAMS, opts, 1
};
