/* SPDX-License-Identifier: ISC */
/*
 * acctctl quota CT [-t] [-j]
 * acctctl quota CT -u UID|-g GID BLOCKS_SOFT:HARD [INODES_SOFT:HARD]
 * The container's disk quota in the layout of `vzquota stat` (usage with
 * `*` past a limit, soft, hard, grace left or `none` once it ran out);
 * -t adds the second-level (user and group) table.  The second form sets
 * one uid's or gid's second-level limits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acctctl.h"
#include "vzquota.h"
#include "sbuf.h"

static void
res_of(struct json_object *reply, const char *key, struct quota_res *r)
{
	struct json_object *o;

	memset(r, 0, sizeof(*r));
	if (!json_object_object_get_ex(reply, key, &o))
		return;
	r->usage = ju64(o, "usage");
	r->soft = ju64(o, "soft");
	r->hard = ju64(o, "hard");
	r->grace_end_ms = ju64(o, "grace_end_ms");
	r->failcnt = ju64(o, "failcnt");
}

static void
print_table(struct json_object *reply)
{
	struct json_object *arr, *g = NULL, *x;
	struct quota_ugid_info in;
	struct quota_ugid *u;
	struct sbuf out = SBUF_INIT;
	size_t n;

	if (!json_object_object_get_ex(reply, "ugid", &arr))
		return;
	n = json_object_array_length(arr);
	memset(&in, 0, sizeof(in));
	in.limit = ju64(reply, "quotaugidlimit");
	in.on = in.limit > 0;
	json_object_object_get_ex(reply, "ugid_grace", &g);
	for (int t = 0; t < 2; t++)
		if (g != NULL && json_object_object_get_ex(g, t ? "group" :
		    "user", &x)) {
			in.bgrace[t] = ju64(x, "block_grace");
			in.igrace[t] = ju64(x, "inode_grace");
		}
	u = calloc(n ? n : 1, sizeof(*u));
	if (u == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		u[i].id = (unsigned)ju64(o, "id");
		u[i].group = strcmp(jstr(o, "type"), "group") == 0;
		u[i].bused = ju64(o, "blocks_used");
		u[i].bsoft = ju64(o, "blocks_soft");
		u[i].bhard = ju64(o, "blocks_hard");
		u[i].iused = ju64(o, "inodes_used");
		u[i].isoft = ju64(o, "inodes_soft");
		u[i].ihard = ju64(o, "inodes_hard");
		u[i].btime = ju64(o, "btime");
		u[i].itime = ju64(o, "itime");
	}
	quota_ugid_format(&in, u, n, ju64(reply, "now_ms") / 1000, &out);
	printf("\n%s", sbuf_str(&out));
	sbuf_free(&out);
	free(u);
}

static int
set_ugid(const char *ct, const char *type, const char *id, const char *bl,
    const char *in)
{
	struct json_object *req = client_req("quota_ugid", ct), *reply;
	int r;

	json_object_object_add(req, "ugid_type", json_object_new_string(type));
	json_object_object_add(req, "id", json_object_new_string(id));
	json_object_object_add(req, "blocks", json_object_new_string(bl));
	if (in != NULL)
		json_object_object_add(req, "inodes", json_object_new_string(in));
	r = client_call(req, &reply);
	json_object_put(req);
	if (r != EX_OK)
		return r;
	if (opt_json)
		print_json(reply);
	json_object_put(reply);
	return EX_OK;
}

static int
cmd_quota(struct cmd_args *a)
{
	struct json_object *req, *reply;
	const char *ct = a->npos ? a->pos[0] : NULL, *type = NULL, *id = NULL;
	bool table = args_has(a, "-t");
	int nl = a->npos > 1 ? a->npos - 1 : 0, r;

	if (args_has(a, "-u") && args_has(a, "-g"))
		return usage_error("quota", "-u and -g do not go together");
	if ((id = args_get(a, "-u")) != NULL)
		type = "user";
	else if ((id = args_get(a, "-g")) != NULL)
		type = "group";
	if (ct == NULL)
		return usage_error("quota", "no container given");
	if (type == NULL && nl > 0)
		return usage_error("quota", "unexpected argument '%s' (limits go "
		    "with -u or -g)", a->pos[1]);
	if (type != NULL) {
		if (nl == 0)
			return usage_error("quota", "no limits for %s %s "
			    "(accepted: BLOCKS_SOFT:HARD [INODES_SOFT:HARD])",
			    type, id);
		return set_ugid(ct, type, id, a->pos[1], nl > 1 ? a->pos[2] :
		    NULL);
	}
	req = client_req("quota", ct);
	if (table)
		json_object_object_add(req, "table",
		    json_object_new_boolean(true));
	r = client_call(req, &reply);
	json_object_put(req);
	if (r != EX_OK)
		return r;
	if (opt_json) {
		print_json(reply);
	} else if (!jbool(reply, "counted")) {
		printf("counting %s: %llu files so far\n", jstr(reply, "root"),
		    (unsigned long long)ju64(reply, "scan_seen"));
	} else {
		struct quota_res b, i;
		struct sbuf out = SBUF_INIT;

		res_of(reply, "blocks", &b);
		res_of(reply, "inodes", &i);
		quota_stat_format(&b, &i, ju64(reply, "now_ms"), &out);
		fputs(sbuf_str(&out), stdout);
		sbuf_free(&out);
		if (jbool(reply, "tagging"))
			printf("setting project id %llu on %s: %llu entries so "
			    "far; the usage grows as it goes\n",
			    (unsigned long long)ju64(reply, "projid"),
			    jstr(reply, "root"),
			    (unsigned long long)ju64(reply, "tag_seen"));
		if (table)
			print_table(reply);
	}
	json_object_put(reply);
	return EX_OK;
}

static const struct cmd_opt opts[] = {
	{ "-t", NULL, "also the per-user and per-group table" },
	{ "-u", "UID", "set this user's limits: BLOCKS_SOFT:HARD "
	    "[INODES_SOFT:HARD]" },
	{ "-g", "GID", "set this group's limits, as -u" },
	{ "-j", NULL, "JSON output" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_quota_entry = {
	"quota", "CT [BLOCKS_SOFT:HARD [INODES_SOFT:HARD]]",
	"disk quota usage, limits and grace (as vzquota stat)",
	cmd_quota, 0, opts, 3
};
