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
#include "quota.h"
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
print_lim(uint64_t v, uint64_t div)
{
	if (v == 0)
		printf(" %10s", "-");
	else
		printf(" %10llu", (unsigned long long)(v / div));
}

static void
print_table(struct json_object *reply)
{
	struct json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(reply, "ugid", &arr))
		return;
	n = json_object_array_length(arr);
	printf("User/group quota: %s\n", ju64(reply, "quotaugidlimit") ?
	    "on,active" : "off,inactive");
	printf("Ugids: loaded %zu, total %zu, limit %llu\n", n, n,
	    (unsigned long long)ju64(reply, "quotaugidlimit"));
	if (n == 0)
		return;
	printf("User/group objects (the filesystem's):\n");
	printf("%-10s %-5s %-9s %10s %10s %10s\n", "ID", "type", "resource",
	    "usage", "softlimit", "hardlimit");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		printf("%-10llu %-5s %-9s %10llu", (unsigned long long)ju64(o,
		    "id"), jstr(o, "type"), "1k-blocks",
		    (unsigned long long)(ju64(o, "blocks_used") + 1023) / 1024);
		print_lim(ju64(o, "blocks_soft"), 1024);
		print_lim(ju64(o, "blocks_hard"), 1024);
		printf("\n%-10llu %-5s %-9s %10llu", (unsigned long long)ju64(o,
		    "id"), jstr(o, "type"), "inodes",
		    (unsigned long long)ju64(o, "inodes_used"));
		print_lim(ju64(o, "inodes_soft"), 1);
		print_lim(ju64(o, "inodes_hard"), 1);
		printf("\n");
	}
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
	r = client_call(req, true, &reply);
	json_object_put(req);
	if (r != EX_OK)
		return r;
	if (opt_json)
		print_json(reply);
	json_object_put(reply);
	return EX_OK;
}

static int
cmd_quota(int argc, char **argv)
{
	struct json_object *req, *reply;
	const char *ct = NULL, *type = NULL, *id = NULL, *lims[2] = { 0 };
	bool table = false;
	int nl = 0, r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0)
			opt_json = true;
		else if (strcmp(argv[i], "-t") == 0)
			table = true;
		else if ((strcmp(argv[i], "-u") == 0 ||
		    strcmp(argv[i], "-g") == 0) && i + 1 < argc) {
			type = argv[i][1] == 'u' ? "user" : "group";
			id = argv[++i];
		} else if (argv[i][0] == '-')
			return usage_error("quota", "unknown argument '%s'",
			    argv[i]);
		else if (ct == NULL)
			ct = argv[i];
		else if (type != NULL && nl < 2)
			lims[nl++] = argv[i];
		else
			return usage_error("quota", "unexpected argument '%s'",
			    argv[i]);
	}
	if (ct == NULL)
		return usage_error("quota", "no container given");
	if (type != NULL) {
		if (nl == 0)
			return usage_error("quota", "no limits for %s %s "
			    "(accepted: BLOCKS_SOFT:HARD [INODES_SOFT:HARD])",
			    type, id);
		return set_ugid(ct, type, id, lims[0], lims[1]);
	}
	req = client_req("quota", ct);
	if (table)
		json_object_object_add(req, "table",
		    json_object_new_boolean(true));
	r = client_call(req, false, &reply);
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

const struct cmd_entry cmd_quota_entry = {
	"quota", "CT [-t] [-j] | CT -u UID|-g GID B:B [I:I]",
	"disk quota usage, limits and grace (as vzquota stat)",
	cmd_quota, CMD_READONLY
};
