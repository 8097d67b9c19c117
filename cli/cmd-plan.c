/* SPDX-License-Identifier: ISC */
/*
 * acctctl plan CT [--PARAM VALUE ...]
 * acctctl plan --config FILE [--cgroup v1|v2] [--PARAM VALUE ...]
 * The cgroup writes that `set` would make, and the parameters this kernel
 * cannot enforce, without changing anything.  With --config the plan is
 * made here, without accountd, for a reference kernel of the given cgroup
 * version (the golden tests use this).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "acctctl.h"
#include "ctconf.h"
#include "plan.h"
#include "sbuf.h"
#include "xalloc.h"

#define CONFIG_MAX	(1024 * 1024)	/* a CTID.conf is a few KiB */

/* The file's text, NUL-terminated.  A config is a regular file (or "-",
 * standard input, or /dev/null) of at most CONFIG_MAX bytes: /dev/zero,
 * a FIFO or a directory are refused, not read without end. */
static int
read_file(const char *path, char **out)
{
	bool in = strcmp(path, "-") == 0;
	int fd = in ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct sbuf b = SBUF_INIT;
	struct stat st;
	char buf[4096];
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "acctctl plan: cannot read %s: %s\n", path,
		    strerror(errno));
		return EX_USAGE;
	}
	if (!in && (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) &&
	    !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))))) {
		fprintf(stderr, "acctctl plan: %s is not a regular file "
		    "(accepted: a CTID.conf file, or - for standard input)\n",
		    path);
		close(fd);
		return EX_USAGE;
	}
	if (!in)	/* a regular file does not block: back to plain reads */
		(void)fcntl(fd, F_SETFL, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0 && b.len <= CONFIG_MAX)
		sbuf_add(&b, buf, (size_t)n);
	if (!in)
		close(fd);
	if (n < 0 || b.len > CONFIG_MAX) {
		if (n < 0)
			fprintf(stderr, "acctctl plan: cannot read %s: %s\n",
			    path, strerror(errno));
		else
			fprintf(stderr, "acctctl plan: %s is larger than 1 MiB "
			    "(accepted: a CTID.conf file)\n", path);
		sbuf_free(&b);
		return EX_USAGE;
	}
	*out = sbuf_take(&b);
	return EX_OK;
}

static int
plan_offline(const char *path, int version, struct json_object *params)
{
	struct sbuf warn = SBUF_INIT, out = SBUF_INIT;
	struct aerr err = { 0 };
	struct ctconf cf;
	struct ct_params chg;
	struct kcaps caps;
	struct plan pl;
	char *text;
	int r;

	if ((r = read_file(path, &text)) != EX_OK)
		return r;
	r = ctconf_parse(path, text, &cf, &warn, &err);
	free(text);
	if (r < 0) {
		fprintf(stderr, "acctctl plan: %s\n", err.msg);
		return EX_USAGE;
	}
	memset(&chg, 0, sizeof(chg));
	json_object_object_foreach(params, k, v)
		(void)param_parse(param_by_name(k), json_object_get_string(v),
		    &chg, NULL);
	params_merge(&cf.params, &chg);
	kcaps_canonical(&caps, version);
	if (params_validate(&cf.params, NULL, &warn, &err) < 0 ||
	    plan_build(&cf.params, &caps, NULL, &pl, &err) < 0) {
		fprintf(stderr, "acctctl plan: %s\n", err.msg);
		ctconf_free(&cf);
		sbuf_free(&warn);
		return EX_USAGE;
	}
	if (warn.len)
		fprintf(stderr, "%s", sbuf_str(&warn));
	plan_format(&pl, &caps, &out);
	fputs(sbuf_str(&out), stdout);
	sbuf_free(&out);
	sbuf_free(&warn);
	plan_free(&pl);
	ctconf_free(&cf);
	return EX_OK;
}

static int
cmd_plan(struct cmd_args *a)
{
	struct json_object *params = a->params, *req, *reply;
	const char *ct = a->npos ? a->pos[0] : NULL;
	const char *config = args_get(a, "--config");
	const char *cg = args_get(a, "--cgroup");
	int version = 0, r;

	if (cg != NULL && strcmp(cg, "v1") == 0)
		version = 1;
	else if (cg != NULL && strcmp(cg, "v2") == 0)
		version = 2;
	else if (cg != NULL)
		return usage_error("plan", "bad --cgroup '%s' (accepted: v1 or "
		    "v2)", cg);
	if ((ct == NULL) == (config == NULL)) {
		r = usage_error("plan", "give a container or --config FILE");
		goto out;
	}
	if (config != NULL) {
		if (version == 0)
			version = access("/sys/fs/cgroup/cgroup.controllers",
			    F_OK) == 0 ? 2 : 1;
		r = plan_offline(config, version, params);
		goto out;
	}
	if (version != 0) {
		r = usage_error("plan", "--cgroup goes with --config; for a "
		    "container the running kernel decides");
		goto out;
	}
	req = client_req("plan", ct);
	json_object_object_add(req, "params", json_object_get(params));
	r = client_call(req, &reply);
	json_object_put(req);
	if (r == EX_OK) {
		if (opt_json)
			print_json(reply);
		else
			fputs(jstr(reply, "text"), stdout);
		json_object_put(reply);
	}
out:
	return r;
}

static const struct cmd_opt opts[] = {
	{ "--config", "FILE", "plan this CTID.conf (- for standard input) "
	    "instead of a container" },
	{ "--cgroup", "v1|v2", "with --config: the cgroup version to plan for" },
	{ "-j", NULL, "JSON output" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_plan_entry = {
	"plan", "[CT]", "the cgroup writes set would make", cmd_plan,
	CMD_PARAMS, opts, 1
};
