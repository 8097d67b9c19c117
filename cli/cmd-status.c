/* SPDX-License-Identifier: ISC */
/*
 * acctctl status [-j]
 * accountd's version, the cgroup layout it found, and its hierarchies.
 */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctctl.h"
#include "xalloc.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

/* The billing ledger writer's state, from its status file next to the
 * socket (accountd-ledger(8)): "ledger: ok since ..." */
static void
print_ledger(void)
{
	const char *s = opt_socket ? opt_socket : getenv("ACCTCTL_SOCKET");
	_cleanup_free_ char *copy = xstrdup(s ? s :
	    RUNSTATEDIR "/accountd/accountd.sock");
	_cleanup_free_ char *path = xasprintf("%s/ledger.status",
	    dirname(copy));
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[512], state[16] = "", since[40] = "", last[40] = "",
	    error[300] = "", rstate[16] = "", rsince[40] = "", rpending[24] = "",
	    rerror[300] = "";

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *e = line + strlen(line);

		while (e > line && (e[-1] == ' ' || e[-1] == '\n'))
			*--e = '\0';
		if (strncmp(line, "state=", 6) == 0)
			snprintf(state, sizeof(state), "%s", line + 6);
		else if (strncmp(line, "since=", 6) == 0)
			snprintf(since, sizeof(since), "%s", line + 6);
		else if (strncmp(line, "last_commit=", 12) == 0)
			snprintf(last, sizeof(last), "%s", line + 12);
		else if (strncmp(line, "error=", 6) == 0)
			snprintf(error, sizeof(error), "%s", line + 6);
		/* the replica on PostgreSQL (docs/fleet.md) */
		else if (strncmp(line, "replica=", 8) == 0)
			snprintf(rstate, sizeof(rstate), "%s", line + 8);
		else if (strncmp(line, "replica_since=", 14) == 0)
			snprintf(rsince, sizeof(rsince), "%s", line + 14);
		else if (strncmp(line, "replica_pending=", 16) == 0)
			snprintf(rpending, sizeof(rpending), "%s", line + 16);
		else if (strncmp(line, "replica_error=", 14) == 0)
			snprintf(rerror, sizeof(rerror), "%s", line + 14);
	}
	if (*state == '\0')
		return;
	printf("ledger: %s since %s, last commit %s%s%s\n", state, since, last,
	    *error ? ": " : "", error);
	if (*rstate != '\0')
		printf("ledger replica: %s since %s, %s records queued%s%s\n",
		    rstate, rsince, rpending, *rerror ? ": " : "", rerror);
}

static int
cmd_status(struct cmd_args *a)
{
	struct json_object *req, *reply, *hs;
	int r;

	(void)a;
	req = client_req("hello", NULL);
	r = client_call(req, &reply);
	json_object_put(req);
	if (r != EX_OK)
		return r;
	if (opt_json) {
		print_json(reply);
		json_object_put(reply);
		return EX_OK;
	}
	printf("accountd %s (pid %llu), cgroup %s\n", jstr(reply, "version"),
	    (unsigned long long)ju64(reply, "pid"), jstr(reply, "cgroup_mode"));
	json_object_object_get_ex(reply, "hierarchies", &hs);
	for (size_t i = 0; i < json_object_array_length(hs); i++) {
		struct json_object *h = json_object_array_get_idx(hs, i), *cs;

		printf("  v%llu %-28s", (unsigned long long)ju64(h, "version"),
		    jstr(h, "path"));
		json_object_object_get_ex(h, "controllers", &cs);
		for (size_t k = 0; k < json_object_array_length(cs); k++)
			printf(" %s", json_object_get_string(
			    json_object_array_get_idx(cs, k)));
		printf("\n");
	}
	json_object_put(reply);
	print_ledger();
	return EX_OK;
}

const struct cmd_entry cmd_status_entry = {
	"status", "", "accountd and the cgroup layout it found",
	cmd_status, 0, json_opts, 0
};
