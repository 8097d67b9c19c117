/* SPDX-License-Identifier: ISC */
/*
 * acctctl attach CT PID
 * Moves a running process (and, on cgroup v2, its whole thread group)
 * into the container's cgroups.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "acctctl.h"

static int
cmd_attach(struct cmd_args *a)
{
	struct json_object *req, *reply;
	char *end;
	long pid;
	int r;

	if (a->npos != 2)
		return usage_error("attach", "need a container and a pid");
	pid = strtol(a->pos[1], &end, 10);
	if (*end != '\0' || pid <= 0)
		return usage_error("attach", "bad pid '%s' (accepted: a process "
		    "id)", a->pos[1]);
	req = client_req("attach", a->pos[0]);
	json_object_object_add(req, "pid", json_object_new_int64(pid));
	r = client_call(req, &reply);
	json_object_put(req);
	json_object_put(reply);
	return r;
}

const struct cmd_entry cmd_attach_entry = {
	"attach", "CT PID", "move a process into a container", cmd_attach, 0,
	NULL, 2
};
