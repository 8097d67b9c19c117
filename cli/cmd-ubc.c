/* SPDX-License-Identifier: ISC */
/*
 * acctctl ubc [CT ...] [--resources] [-j]
 * acctctl ubc -t|-q|-c|-r|-w ... [CT ...]     (vzubc's view)
 *
 * Without options: the text of /proc/user_beancounters, byte for byte as
 * OpenVZ printed it, so scripts that parse it keep working.  --resources:
 * the /proc/bc/resources form (no dummy rows, swappages included).  Any
 * vzubc option switches to vzubc's table: human units, percent of barrier
 * and limit; -q only rows that matter (-qh/-qm set the ratios), -v also
 * rows without a barrier, -r failcnt since the last look (-rc forgets the
 * last look), -c colour, -w watch every 2 s (-n SECONDS, which implies -w).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acctctl.h"
#include "sbuf.h"
#include "ubc.h"
#include "xalloc.h"

static size_t
to_ubc(struct json_object *reply, struct ubc **out)
{
	struct json_object *cts;
	struct ubc *u;
	size_t n;

	json_object_object_get_ex(reply, "containers", &cts);
	n = json_object_array_length(cts);
	u = xcalloc(n ? n : 1, sizeof(*u));
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cts, i), *rows;

		snprintf(u[i].id, sizeof(u[i].id), "%s", jstr(c, "id"));
		u[i].bcid = (uint32_t)ju64(c, "bcid");
		json_object_object_get_ex(c, "rows", &rows);
		for (size_t k = 0; k < json_object_array_length(rows); k++) {
			struct json_object *r = json_object_array_get_idx(rows, k);
			int res = ub_by_name(jstr(r, "resource"));

			if (res < 0)
				continue;
			u[i].r[res].held = ju64(r, "held");
			u[i].r[res].maxheld = ju64(r, "maxheld");
			u[i].r[res].barrier = ju64(r, "barrier");
			u[i].r[res].limit = ju64(r, "limit");
			u[i].r[res].failcnt = ju64(r, "failcnt");
			u[i].r[res].present = true;
		}
	}
	*out = u;
	return n;
}

/* -r: the failcnt of the last look, per container, in a small file. */
static char *
store_path(const char *dir, const char *id)
{
	return xasprintf("%s/ubc.%s.failcnt", dir, id);
}

static void
load_prev(const char *dir, const struct ubc *u, size_t n, struct ubc *prev)
{
	for (size_t i = 0; i < n; i++) {
		char *p = store_path(dir, u[i].id), name[32];
		FILE *f = fopen(p, "re");
		unsigned long long v;

		prev[i] = u[i];		/* no previous look: relative to now */
		for (int r = 0; f != NULL && r < UB_COUNT; r++)
			prev[i].r[r].failcnt = 0;
		while (f != NULL && fscanf(f, "%31s %llu", name, &v) == 2) {
			int r = ub_by_name(name);

			if (r >= 0)
				prev[i].r[r].failcnt = v;
		}
		if (f != NULL)
			fclose(f);
		free(p);
	}
}

static void
save_now(const char *dir, const struct ubc *u, size_t n)
{
	mkdir(dir, 0700);
	for (size_t i = 0; i < n; i++) {
		char *p = store_path(dir, u[i].id);
		FILE *f = fopen(p, "we");

		for (int r = 0; f != NULL && r < UB_COUNT; r++)
			if (u[i].r[r].present)
				fprintf(f, "%s %llu\n", ub_name((enum ub_res)r),
				    (unsigned long long)u[i].r[r].failcnt);
		if (f != NULL)
			fclose(f);
		free(p);
	}
}

/* -rc: forget the last look (only our own files in our own folder). */
static void
clear_store(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, "ubc.", 4) == 0 && n > 12 &&
		    strcmp(de->d_name + n - 8, ".failcnt") == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d != NULL)
		closedir(d);
}

static int
cmd_ubc(struct cmd_args *a)
{
	struct vzubc_opts o = { .qheld = 0.5, .qmaxheld = 0.8 };
	bool vz = false, resources = args_has(a, "--resources"), watch = false;
	struct json_object *req, *names, *reply;
	const char *tmp = getenv("TMPDIR"), *sec_s;
	char dir[PATH_MAX];
	unsigned every = 2;
	int r;

	snprintf(dir, sizeof(dir), "%s/acctctl-ubc.%u", tmp ? tmp : "/tmp",
	    (unsigned)getuid());
	if (args_has(a, "-t"))
		vz = true;
	if (args_has(a, "-q"))
		vz = o.quiet = true;
	if (args_has(a, "-v"))
		vz = o.all = true;
	if (args_has(a, "-c"))
		vz = o.color = true;
	if (args_has(a, "-r"))
		vz = o.relative = true;
	if (args_has(a, "-w"))
		vz = watch = true;
	if (args_get(a, "-rd") != NULL)
		snprintf(dir, sizeof(dir), "%s", args_get(a, "-rd"));
	if ((sec_s = args_get(a, "-n")) != NULL) {
		char *end = NULL;
		unsigned long sec = strtoul(sec_s, &end, 10);

		if (end == sec_s || *end != '\0' || sec < 1 || sec > 86400)
			return usage_error("ubc", "bad -n '%s' (accepted: "
			    "whole seconds from 1 to 86400)", sec_s);
		every = (unsigned)sec;
		vz = watch = true;	/* -n SEC: watch every SEC */
	}
	for (int k = 0; k < 2; k++) {
		const char *q = k ? "-qm" : "-qh", *s = args_get(a, q);
		char *end;
		double v;

		if (s == NULL)
			continue;
		v = strtod(s, &end);
		if (end == s || *end != '\0' || v <= 0 || v > 100)
			return usage_error("ubc", "bad %s '%s' (accepted: a "
			    "ratio such as 0.8, or a percentage such as 80)",
			    q, s);
		*(k ? &o.qmaxheld : &o.qheld) = v;
	}
	if (o.quiet && o.all)
		return usage_error("ubc", "-q and -v do not go together");
	if (o.color && watch)
		return usage_error("ubc", "-c does not go with -w");
	names = json_object_new_array();
	for (int i = 0; i < a->npos; i++)
		json_object_array_add(names, json_object_new_string(a->pos[i]));
	if (args_has(a, "-rc")) {
		clear_store(dir);
		if (!vz) {
			json_object_put(names);
			return EX_OK;
		}
	}
	if (every == 0)
		every = 2;
	req = client_req("ubc", NULL);
	if (json_object_array_length(names) > 0)
		json_object_object_add(req, "cts", names);
	else
		json_object_put(names);
	for (;;) {
		struct sbuf out = SBUF_INIT;
		struct ubc *u, *prev = NULL;
		size_t n;

		if ((r = client_call(req, &reply)) != EX_OK)
			break;
		if (opt_json) {
			print_json(reply);
			json_object_put(reply);
			break;
		}
		n = to_ubc(reply, &u);
		json_object_put(reply);
		if (vz && o.relative) {
			prev = xcalloc(n ? n : 1, sizeof(*prev));
			load_prev(dir, u, n, prev);
		}
		if (!vz && resources)
			ubc_format_resources(u, n, &out);
		else if (!vz)
			ubc_format_proc(u, n, &out);
		else
			ubc_format_vzubc(u, n, prev, &o, &out);
		if (watch)
			fputs("\033[H\033[2J", stdout);
		fputs(sbuf_str(&out), stdout);
		fflush(stdout);
		if (vz && o.relative)
			save_now(dir, u, n);
		sbuf_free(&out);
		free(prev);
		free(u);
		if (!watch)
			break;
		sleep(every);
	}
	json_object_put(req);
	return r;
}

static const struct cmd_opt opts[] = {
	{ "--resources", NULL, "as /proc/bc/CT/resources" },
	{ "-t", NULL, "vzubc's table" },
	{ "-q", NULL, "vzubc -q: only the rows near or at a limit" },
	{ "-v", NULL, "vzubc -v: every row, also unlimited ones" },
	{ "-qh", "R", "-q's held threshold, a ratio or percent (default 0.5)" },
	{ "-qm", "R", "-q's maxheld threshold (default 0.8)" },
	{ "-c", NULL, "colour the rows near or at a limit" },
	{ "-w", NULL, "watch: redraw every 2 seconds" },
	{ "-n", "SEC", "watch, redrawing every SEC seconds" },
	{ "-r", NULL, "failcnt relative to the last look" },
	{ "-rc", NULL, "forget the last look" },
	{ "-rd", "DIR", "where -r keeps the last look" },
	{ "-j", NULL, "JSON output" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_ubc_entry = {
	"ubc", "[CT ...]", "beancounters, as /proc/user_beancounters or vzubc",
	cmd_ubc, 0, opts, -1
};
