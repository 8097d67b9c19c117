/* SPDX-License-Identifier: ISC */
/*
 * acctctl create CT [--cgroup PATH] [--config FILE] [--applyconfig NAME]
 *                   [--force] [--PARAM VALUE ...]
 * Registers a container.  Without --cgroup accountd makes its cgroup
 * (cgroup_parent/CT); with --cgroup an existing one is adopted, such as
 * /lxc.payload.web1 (root only).  --config imports an OpenVZ CTID.conf:
 * acctctl reads it, as the user who runs it, and sends its text; accountd
 * never opens a file a client names.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctctl.h"
#include "textfile.h"
#include "xalloc.h"

static int
cmd_create(int argc, char **argv)
{
	struct json_object *req, *params = json_object_new_object(), *reply;
	const char *ct = NULL, *cgroup = NULL, *config = NULL, *sample = NULL;
	_cleanup_free_ char *text = NULL;
	struct aerr err = { 0 };
	bool any = false, force = false;
	int r;

	if ((r = parse_param_opts("create", &argc, &argv, params, &any)) !=
	    EX_OK) {
		json_object_put(params);
		return r;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc)
			cgroup = argv[++i];
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--applyconfig") == 0 && i + 1 < argc)
			sample = argv[++i];
		else if (strcmp(argv[i], "--force") == 0)
			force = true;	/* admit a guarantee that does not fit */
		else if (argv[i][0] == '-' || ct != NULL) {
			json_object_put(params);
			return usage_error("create", "unknown option or argument "
			    "'%s'", argv[i]);
		} else
			ct = argv[i];
	}
	if (ct == NULL) {
		json_object_put(params);
		return usage_error("create", "no container given");
	}
	req = client_req("create", ct);
	json_object_object_add(req, "params", params);
	if (cgroup)
		json_object_object_add(req, "cgroup", json_object_new_string(cgroup));
	if (force)
		json_object_object_add(req, "force", json_object_new_boolean(1));
	if (config) {
		if (textfile_read(config, TEXTFILE_CONF_MAX, true, &text,
		    &err) < 0) {
			json_object_put(req);
			fprintf(stderr, "acctctl create: %s\n", err.msg);
			return EX_USAGE;
		}
		json_object_object_add(req, "config_text",
		    json_object_new_string(text));
		json_object_object_add(req, "config_name",
		    json_object_new_string(config));
	}
	if (sample)
		json_object_object_add(req, "applyconfig",
		    json_object_new_string(sample));
	r = client_call(req, true, &reply);
	json_object_put(req);
	json_object_put(reply);
	return r;
}

const struct cmd_entry cmd_create_entry = {
	"create", "CT [--cgroup PATH] [--config FILE] [--applyconfig NAME] "
	"[--force] ...",
	"register a container", cmd_create, 0
};
