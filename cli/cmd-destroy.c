/* SPDX-License-Identifier: ISC */
/*
 * acctctl destroy CT [--force]
 * Forgets a container: its CTID.conf is moved aside (CT.conf.destroyed).
 * A cgroup accountd made is removed (--force kills what still runs in
 * it); an adopted cgroup is left as it is.
 */
#include "config.h"

#include <string.h>

#include "acctctl.h"

static int
cmd_destroy(struct cmd_args *a)
{
	struct json_object *req, *reply;
	int r;

	if (a->npos == 0)
		return usage_error("destroy", "no container given");
	req = client_req("destroy", a->pos[0]);
	if (args_has(a, "--force"))
		json_object_object_add(req, "force", json_object_new_boolean(1));
	r = client_call(req, &reply);
	json_object_put(req);
	json_object_put(reply);
	return r;
}

static const struct cmd_opt opts[] = {
	{ "-f --force", NULL, "kill what still runs in a cgroup accountd made" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_destroy_entry = {
	"destroy", "CT", "forget a container", cmd_destroy, 0, opts, 1
};
