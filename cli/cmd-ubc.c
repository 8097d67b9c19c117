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
cmd_ubc(int argc, char **argv)
{
	struct vzubc_opts o = { .qheld = 0.5, .qmaxheld = 0.8 };
	bool vz = false, resources = false, watch = false, rclear = false;
	struct json_object *req, *names = json_object_new_array(), *reply;
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX];
	unsigned every = 2;
	int r;

	snprintf(dir, sizeof(dir), "%s/acctctl-ubc.%u", tmp ? tmp : "/tmp",
	    (unsigned)getuid());
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--resources") == 0)
			resources = true;
		else if (strcmp(a, "-j") == 0)
			opt_json = true;
		else if (strcmp(a, "-t") == 0)
			vz = true;
		else if (strcmp(a, "-q") == 0)
			vz = o.quiet = true;
		else if (strcmp(a, "-v") == 0)
			vz = o.all = true;
		else if (strcmp(a, "-c") == 0)
			vz = o.color = true;
		else if (strcmp(a, "-r") == 0)
			vz = o.relative = true;
		else if (strcmp(a, "-rc") == 0)
			rclear = true;
		else if (strcmp(a, "-rd") == 0 && i + 1 < argc)
			snprintf(dir, sizeof(dir), "%s", argv[++i]);
		else if (strcmp(a, "-w") == 0)
			vz = watch = true;
		else if (strcmp(a, "-n") == 0) {
			char *end = NULL;
			unsigned long n = i + 1 < argc ?
			    strtoul(argv[i + 1], &end, 10) : 0;

			if (end == NULL || end == argv[i + 1] || *end != '\0' ||
			    n < 1 || n > 86400) {
				json_object_put(names);
				return usage_error("ubc", "bad -n '%s' (accepted: "
				    "whole seconds from 1 to 86400)", i + 1 < argc ?
				    argv[i + 1] : "");
			}
			i++;
			every = (unsigned)n;
			vz = watch = true;	/* -n SEC: watch every SEC */
		}
		else if ((strcmp(a, "-qh") == 0 || strcmp(a, "-qm") == 0) &&
		    i + 1 < argc) {
			char *end;
			double v = strtod(argv[++i], &end);

			if (*end != '\0' || v <= 0 || v > 100) {
				json_object_put(names);
				return usage_error("ubc", "bad %s '%s' (accepted: a "
				    "ratio such as 0.8, or a percentage such as 80)",
				    a, argv[i]);
			}
			if (a[2] == 'h')
				o.qheld = v;
			else
				o.qmaxheld = v;
		} else if (strcmp(a, "-rd") == 0 || strcmp(a, "-qh") == 0 ||
		    strcmp(a, "-qm") == 0) {
			json_object_put(names);
			return usage_error("ubc", "%s needs a value", a);
		} else if (a[0] == '-') {
			json_object_put(names);
			return usage_error("ubc", "unknown option '%s'", a);
		} else
			json_object_array_add(names, json_object_new_string(a));
	}
	if (o.quiet && o.all) {
		json_object_put(names);
		return usage_error("ubc", "-q and -v do not go together");
	}
	if (o.color && watch) {
		json_object_put(names);
		return usage_error("ubc", "-c does not go with -w");
	}
	if (rclear) {
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

		if ((r = client_call(req, false, &reply)) != EX_OK)
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

const struct cmd_entry cmd_ubc_entry = {
	"ubc", "[CT ...] [--resources] [-t] [-q|-v] [-qh R] [-qm R] [-c|-w] "
	"[-n SEC] [-r] [-rc] [-rd DIR] [-j]",
	"beancounters, as /proc/user_beancounters or vzubc", cmd_ubc,
	CMD_READONLY
};
