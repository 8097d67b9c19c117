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
cmd_create(struct cmd_args *a)
{
	struct json_object *req, *reply;
	const char *cgroup = args_get(a, "--cgroup");
	const char *config = args_get(a, "--config");
	const char *sample = args_get(a, "--applyconfig");
	_cleanup_free_ char *text = NULL;
	struct aerr err = { 0 };
	bool force = args_has(a, "--force");
	int r;

	if (a->npos == 0)
		return usage_error("create", "no container given");
	req = client_req("create", a->pos[0]);
	json_object_object_add(req, "params", json_object_get(a->params));
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
	r = client_call(req, &reply);
	json_object_put(req);
	json_object_put(reply);
	return r;
}

static const struct cmd_opt opts[] = {
	{ "--cgroup", "PATH", "adopt this existing cgroup (root only)" },
	{ "--config", "FILE", "import an OpenVZ CTID.conf" },
	{ "--applyconfig", "NAME", "apply the sample ve-NAME.conf-sample" },
	{ "--force", NULL, "admit a guarantee that does not fit (logged)" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_create_entry = {
	"create", "CT", "register a container", cmd_create, CMD_PARAMS, opts, 1
};
