/* SPDX-License-Identifier: ISC */
/*
 * acctctl exec CT [--] COMMAND [ARG ...]
 * Runs COMMAND inside the container's cgroups: acctctl asks accountd to
 * move this very process into them, then replaces itself with COMMAND,
 * whose exit status becomes acctctl's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "acctctl.h"

static int
cmd_exec(struct cmd_args *a)
{
	struct json_object *req, *reply;
	char **argv = a->pos;
	int i = 1, r;

	if (a->npos == 0)
		return usage_error("exec", "no container given");
	if (a->npos == 1)
		return usage_error("exec", "no command given");
	req = client_req("attach", a->pos[0]);
	json_object_object_add(req, "pid", json_object_new_int(getpid()));
	r = client_call(req, &reply);
	json_object_put(req);
	json_object_put(reply);
	if (r != EX_OK)
		return r;
	execvp(argv[i], argv + i);
	fprintf(stderr, "acctctl exec: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

const struct cmd_entry cmd_exec_entry = {
	"exec", "CT [--] COMMAND [ARG ...]", "run a command in a container",
	cmd_exec, CMD_REST, NULL, -1
};
