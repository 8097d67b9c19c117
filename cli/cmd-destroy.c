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
cmd_destroy(int argc, char **argv)
{
	struct json_object *req, *reply;
	const char *ct = NULL;
	bool force = false;
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = true;
		else if (argv[i][0] == '-' || ct != NULL)
			return usage_error("destroy", "unknown argument '%s'",
			    argv[i]);
		else
			ct = argv[i];
	}
	if (ct == NULL)
		return usage_error("destroy", "no container given");
	req = client_req("destroy", ct);
	if (force)
		json_object_object_add(req, "force", json_object_new_boolean(1));
	r = client_call(req, true, &reply);
	json_object_put(req);
	json_object_put(reply);
	return r;
}

const struct cmd_entry cmd_destroy_entry = {
	"destroy", "CT [--force]", "forget a container", cmd_destroy, 0
};
