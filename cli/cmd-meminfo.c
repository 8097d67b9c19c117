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
cmd_meminfo(int argc, char **argv)
{
	struct json_object *req, *reply;
	const char *ct = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0)
			opt_json = true;
		else if (argv[i][0] == '-' || ct != NULL)
			return usage_error("meminfo", "unknown argument '%s'",
			    argv[i]);
		else
			ct = argv[i];
	}
	if (ct == NULL)
		return usage_error("meminfo", "no container given");
	req = client_req("meminfo", ct);
	r = client_call(req, false, &reply);
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
	"meminfo", "CT [-j]", "the container's /proc/meminfo (RAM and swap)",
	cmd_meminfo, CMD_READONLY
};
