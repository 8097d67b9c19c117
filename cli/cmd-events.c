/* SPDX-License-Identifier: ISC */
/*
 * acctctl events [-f] [-n COUNT] [-j] [CT]
 * The alerts accountd raised (a failcnt that grew, a limit that drifted),
 * oldest first; -f keeps
 * following and prints each new one as it happens.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "acctctl.h"
#include "proto.h"
#include "ubc.h"

static void
print_event(struct json_object *ev)
{
	if (opt_json) {
		printf("%s\n", json_object_to_json_string_ext(ev,
		    JSON_C_TO_STRING_PLAIN));
	} else if (strcmp(jstr(ev, "type"), "drift") == 0) {
		/* a limit written outside accountd */
		printf("%s  %-10s %-12s drift %s!=%s  %s  %s%s%s\n",
		    jstr(ev, "time"), jstr(ev, "ct"), jstr(ev, "resource"),
		    jstr(ev, "kernel"), jstr(ev, "configured"),
		    jstr(ev, "files"), jstr(ev, "action"),
		    *jstr(ev, "error") ? ": " : "", jstr(ev, "error"));
	} else {
		char held[16], lim[16];
		int r = ub_by_name(jstr(ev, "resource"));
		const char *unit = jstr(ev, "unit");
		enum ub_unit u = r >= 0 ? ub_unit((enum ub_res)r) : UBU_ITEMS;

		if (r < 0 && strcmp(unit, "bytes") == 0)	/* disk quota */
			u = UBU_BYTES;

		ub_human(ju64(ev, "held"), u, held, sizeof(held));
		ub_human(ju64(ev, "limit"), u, lim, sizeof(lim));
		printf("%s  %-10s %-12s failcnt %llu (+%llu)  held %s  limit %s\n",
		    jstr(ev, "time"), jstr(ev, "ct"), jstr(ev, "resource"),
		    (unsigned long long)ju64(ev, "failcnt"),
		    (unsigned long long)ju64(ev, "delta"), held, lim);
	}
	fflush(stdout);
}

static int
cmd_events(struct cmd_args *a)
{
	struct json_object *req, *reply, *evs;
	const char *ct = a->npos ? a->pos[0] : NULL, *n = args_get(a, "-n");
	bool follow = args_has(a, "-f");
	long count = 20;
	int r, fd;

	if (n != NULL) {
		char *end;

		count = strtol(n, &end, 10);
		if (*n == '\0' || *end != '\0' || count < 0 || count > 100000)
			return usage_error("events", "bad -n '%s' "
			    "(accepted: 0 to 100000)", n);
	}
	req = client_req("events", ct);
	json_object_object_add(req, "count", json_object_new_int64(count));
	if (follow)
		json_object_object_add(req, "follow", json_object_new_boolean(1));
	r = client_call_keep(req, &reply, follow ? &fd : NULL);
	json_object_put(req);
	if (r != EX_OK)
		return r;
	json_object_object_get_ex(reply, "events", &evs);
	for (size_t i = 0; i < json_object_array_length(evs); i++)
		print_event(json_object_array_get_idx(evs, i));
	json_object_put(reply);
	if (!follow)
		return EX_OK;
	for (;;) {
		struct acct_hdr h;
		struct aerr err = { 0 };
		char *payload;
		struct json_object *ev;

		if (proto_recv(fd, &h, &payload, -1, &err) < 0) {
			fprintf(stderr, "acctctl events: %s\n", err.msg);
			close(fd);
			return EX_NODAEMON;
		}
		if ((ev = json_tokener_parse(payload)) != NULL &&
		    h.type == MSG_EVENT)
			print_event(ev);
		json_object_put(ev);
		free(payload);
	}
}

static const struct cmd_opt opts[] = {
	{ "-f", NULL, "follow: print events as they come" },
	{ "-n", "COUNT", "how many past events first (default 20)" },
	{ "-j", NULL, "JSON lines" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_events_entry = {
	"events", "[CT]", "alerts: limits containers hit", cmd_events, 0,
	opts, 1
};
