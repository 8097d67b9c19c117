/* SPDX-License-Identifier: ISC */
/*
 * acctctl show CT [-a] [-j]
 * The container's parameters, each with its value and whether this
 * kernel enforces it (and through which cgroup files, or why not).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "acctctl.h"
#include "params.h"

static int
cmd_show(struct cmd_args *a)
{
	struct json_object *req, *reply, *c, *ps;
	bool all = args_has(a, "-a");
	char buf[64];
	int r;

	if (a->npos == 0)
		return usage_error("show", "no container given");
	req = client_req("show", a->pos[0]);
	r = client_call(req, &reply);
	json_object_put(req);
	if (r != EX_OK)
		return r;
	if (opt_json) {
		print_json(reply);
		json_object_put(reply);
		return EX_OK;
	}
	json_object_object_get_ex(reply, "container", &c);
	printf("CTID %s: %s, %s cgroup %s (cgroup %s)\n", jstr(c, "ct"),
	    jstr(c, "status"), jstr(c, "origin"), jstr(c, "cgroup"),
	    jstr(reply, "cgroup_mode"));
	if (*jstr(reply, "conf"))
		printf("  config     %s\n", jstr(reply, "conf"));
	if (strcmp(jstr(c, "status"), "running") == 0) {
		fmt_bytes(ju64(c, "mem_used"), buf, sizeof(buf));
		printf("  usage      %llu processes, memory %s\n",
		    (unsigned long long)ju64(c, "nproc"), buf);
	}
	if (*jstr(c, "error"))
		printf("  error      %s\n", jstr(c, "error"));
	if (json_object_object_get_ex(reply, "vswap", &ps)) {
		char held[32], in[32], out[32], rate[32];

		fmt_bytes(ju64(ps, "held"), held, sizeof(held));
		fmt_bytes(ju64(ps, "in"), in, sizeof(in));
		fmt_bytes(ju64(ps, "out"), out, sizeof(out));
		fmt_bytes(ju64(ps, "rate"), rate, sizeof(rate));
		printf("  vswap      %s held, traffic in %s out %s, slowed %.1f s "
		    "(%s/s, %s mode)%s\n", held, in, out,
		    (double)ju64(ps, "slowed_us") / 1e6,
		    ju64(ps, "rate") ? rate : "no slowdown", jstr(ps, "mode"),
		    jbool(ps, "frozen") ? ", frozen now" : "");
	}
	if (json_object_object_get_ex(reply, "quota", &ps)) {
		struct json_object *b = NULL, *in = NULL;
		char used[32], hard[32];

		json_object_object_get_ex(ps, "blocks", &b);
		json_object_object_get_ex(ps, "inodes", &in);
		fmt_bytes(ju64(b, "usage"), used, sizeof(used));
		fmt_bytes(ju64(b, "hard"), hard, sizeof(hard));
		printf("  quota      %s of %s, %llu inodes, grace %s, failcnt "
		    "%llu (%s on %s %s%s)\n", used, hard,
		    (unsigned long long)ju64(in, "usage"), jstr(b, "state"),
		    (unsigned long long)ju64(ps, "failcnt"),
		    jstr(ps, "mechanism"), jstr(ps, "fstype"), jstr(ps, "root"),
		    jbool(ps, "counted") ? "" : ", counting");
	}
	printf("\n  %-15s %-22s %s\n", "PARAMETER", "VALUE", "STATUS");
	json_object_object_get_ex(reply, "params", &ps);
	for (size_t i = 0; i < json_object_array_length(ps); i++) {
		struct json_object *p = json_object_array_get_idx(ps, i);
		struct json_object *files, *drift = NULL;
		char val[128], status[512];
		size_t used;

		/* a drifted file of an unset parameter (v1 memsw, written
		 * for ram alone) is shown too */
		if (!jbool(p, "set") && !all &&
		    !json_object_object_get_ex(p, "drift", NULL))
			continue;
		if (json_object_object_get_ex(p, "drift", &drift))
			/* changed outside accountd: KERNEL != CONFIGURED */
			snprintf(val, sizeof(val), "%s != %s%s",
			    jstr(drift, "kernel"), jstr(drift, "configured"),
			    jbool(p, "saved") ? "" : " (not saved)");
		else if (jbool(p, "set"))
			snprintf(val, sizeof(val), "%s%s", jstr(p, "human"),
			    jbool(p, "saved") ? "" : " (not saved)");
		else
			snprintf(val, sizeof(val), "%s (default)",
			    *jstr(p, "default") ? jstr(p, "default") : "-");
		used = (size_t)snprintf(status, sizeof(status), "%s",
		    jstr(p, "status"));
		json_object_object_get_ex(p, "files", &files);
		if (drift != NULL) {
			/* the files as the kernel has them now */
			json_object_object_get_ex(drift, "files", &files);
			json_object_object_foreach(files, fk, fv) {
				if (used < sizeof(status))
					used += (size_t)snprintf(status + used,
					    sizeof(status) - used, " %s=%s", fk,
					    json_object_get_string(fv));
			}
			if (used < sizeof(status))
				used += (size_t)snprintf(status + used,
				    sizeof(status) - used, ", written outside "
				    "accountd");
			files = NULL;
		}
		for (size_t k = 0; files != NULL &&
		    k < json_object_array_length(files) &&
		    used < sizeof(status); k++)
			used += (size_t)snprintf(status + used,
			    sizeof(status) - used, "%s%s", k ? " " : ": ",
			    json_object_get_string(
			    json_object_array_get_idx(files, k)));
		if (*jstr(p, "reason") && used < sizeof(status))
			snprintf(status + used, sizeof(status) - used, ": %s",
			    jstr(p, "reason"));
		printf("  %-15s %-22s %s\n", jstr(p, "name"), val, status);
	}
	json_object_put(reply);
	return EX_OK;
}

static const struct cmd_opt opts[] = {
	{ "-a --all", NULL, "every parameter, also those not set" },
	{ "-j", NULL, "JSON output" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_show_entry = {
	"show", "CT", "parameters and how they are enforced", cmd_show, 0,
	opts, 1
};
