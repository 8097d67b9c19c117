/* SPDX-License-Identifier: ISC */
/*
 * acctctl meminfo CT [-j]
 * The container's /proc/meminfo as OpenVZ showed it inside: MemTotal is
 * its RAM, SwapTotal its swap, the free figures come from its usage.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "acctctl.h"

static int
cmd_meminfo(struct cmd_args *a)
{
	struct json_object *req, *reply;
	int r;

	if (a->npos == 0)
		return usage_error("meminfo", "no container given");
	req = client_req("meminfo", a->pos[0]);
	r = client_call(req, &reply);
	json_object_put(req);
	if (r != EX_OK)
		return r;
	if (opt_json)
		print_json(reply);
	else
		fputs(jstr(reply, "meminfo"), stdout);
	json_object_put(reply);
	return EX_OK;
}

const struct cmd_entry cmd_meminfo_entry = {
	"meminfo", "CT", "the container's /proc/meminfo (RAM and swap)",
	cmd_meminfo, 0, json_opts, 1
};
