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
cmd_set(int argc, char **argv)
{
	struct json_object *req, *params = json_object_new_object(), *reply;
	const char *ct = NULL, *sample = NULL;
	bool any = false, save = false, reset = false, force = false;
	int r;

	if ((r = parse_param_opts("set", &argc, &argv, params, &any)) != EX_OK) {
		json_object_put(params);
		return r;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--save") == 0)
			save = true;
		else if (strcmp(argv[i], "--reset_ub") == 0)
			reset = true;
		else if (strcmp(argv[i], "--force") == 0)
			force = true;	/* admit a guarantee that does not fit */
		else if (strcmp(argv[i], "--applyconfig") == 0 && i + 1 < argc)
			sample = argv[++i];
		else if (argv[i][0] == '-' || ct != NULL) {
			json_object_put(params);
			return usage_error("set", "unknown option or argument '%s' "
			    "(acctctl help params lists the parameters)", argv[i]);
		} else
			ct = argv[i];
	}
	if (ct == NULL) {
		json_object_put(params);
		return usage_error("set", "no container given");
	}
	if (!any && sample == NULL && !reset) {
		json_object_put(params);
		return usage_error("set", "nothing to set");
	}
	req = client_req("set", ct);
	json_object_object_add(req, "params", params);
	if (save)
		json_object_object_add(req, "save", json_object_new_boolean(1));
	if (reset)
		json_object_object_add(req, "reset_ub", json_object_new_boolean(1));
	if (force)
		json_object_object_add(req, "force", json_object_new_boolean(1));
	if (sample)
		json_object_object_add(req, "applyconfig",
		    json_object_new_string(sample));
	r = client_call(req, true, &reply);
	json_object_put(req);
	json_object_put(reply);
	return r;
}

const struct cmd_entry cmd_set_entry = {
	"set", "CT --PARAM VALUE ... [--save] [--applyconfig NAME] [--reset_ub] "
	"[--force]",
	"change a container's limits", cmd_set, 0
};
