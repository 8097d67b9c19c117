/* SPDX-License-Identifier: ISC */
/*
 * acctctl plan CT [--PARAM VALUE ...]
 * acctctl plan --config FILE [--cgroup v1|v2] [--vswap-mode MODE]
 *     [--v1-limits MEM:MEMSW] [--PARAM VALUE ...]
 * The cgroup writes that `set` would make, and the parameters this kernel
 * cannot enforce, without changing anything.  With --config the plan is
 * made here, without accountd, for a reference kernel of the given cgroup
 * version (the golden tests use this); --vswap-mode and --v1-limits stand
 * for the vswap_mode setting and for the limits a container has now, the
 * two things besides the kernel that change a plan.
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

/* "512M", "1G", "4096": bytes, binary suffixes; -1 when not a size */
static int
parse_size(const char *s, uint64_t *out)
{
	static const char sfx[] = "KMGT";
	const char *p;
	char *end;
	unsigned long long v;

	if (strcmp(s, "unlimited") == 0) {
		*out = VAL_UNLIMITED;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' || (p = strchr(sfx, *end)) == NULL)
			return -1;
		for (int i = 0; i <= p - sfx; i++) {
			if (v > UINT64_MAX / 1024)
				return -1;
			v *= 1024;
		}
	}
	*out = v;
	return 0;
}

/* "MEM:MEMSW", the v1 limits a container has now */
static int
parse_v1_limits(const char *s, struct kstate *st)
{
	const char *colon = strchr(s, ':');
	char mem[32];

	if (colon == NULL || (size_t)(colon - s) >= sizeof(mem))
		return -1;
	memcpy(mem, s, (size_t)(colon - s));
	mem[colon - s] = '\0';
	if (parse_size(mem, &st->mem_limit) < 0 ||
	    parse_size(colon + 1, &st->memsw_limit) < 0 ||
	    st->memsw_limit < st->mem_limit)
		return -1;
	st->valid = true;
	return 0;
}

struct offline {
	int		version;
	int		vswap_mode;	/* -1: the reference kernel's */
	struct kstate	st;
};

static int
plan_offline(const char *path, const struct offline *o,
    struct json_object *params)
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
	kcaps_canonical(&caps, o->version);
	if (o->vswap_mode >= 0)
		caps.vswap_mode = (uint8_t)o->vswap_mode;
	if (params_validate(&cf.params, NULL, &warn, &err) < 0 ||
	    plan_build(&cf.params, &caps, o->st.valid ? &o->st : NULL, &pl,
	    &err) < 0) {
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
	const char *vm = args_get(a, "--vswap-mode");
	const char *v1 = args_get(a, "--v1-limits");
	struct offline o = { .vswap_mode = -1 };
	int version = 0, r;
	bool offline_opt = vm != NULL || v1 != NULL;

	if (cg != NULL && strcmp(cg, "v1") == 0)
		version = 1;
	else if (cg != NULL && strcmp(cg, "v2") == 0)
		version = 2;
	else if (cg != NULL)
		return usage_error("plan", "bad --cgroup '%s' (accepted: v1 or "
		    "v2)", cg);
	if (vm != NULL) {
		static const char *const modes[] = {
			[VSWAP_OFF] = "off", [VSWAP_RAM] = "ram",
			[VSWAP_KERNEL] = "kernel"
		};

		for (int m = 0; m < (int)nitems(modes); m++)
			if (strcmp(vm, modes[m]) == 0)
				o.vswap_mode = m;
		if (o.vswap_mode < 0)
			return usage_error("plan", "bad --vswap-mode '%s' "
			    "(accepted: ram, kernel, off)", vm);
	}
	if (v1 != NULL && parse_v1_limits(v1, &o.st) < 0)
		return usage_error("plan", "bad --v1-limits '%s' (accepted: "
		    "MEM:MEMSW, sizes such as 512M or unlimited, MEMSW at least "
		    "MEM)", v1);
	if ((ct == NULL) == (config == NULL)) {
		r = usage_error("plan", "give a container or --config FILE");
		goto out;
	}
	if (config != NULL) {
		if (version == 0)
			version = access("/sys/fs/cgroup/cgroup.controllers",
			    F_OK) == 0 ? 2 : 1;
		o.version = version;
		r = plan_offline(config, &o, params);
		goto out;
	}
	if (version != 0 || offline_opt) {
		r = usage_error("plan", "--cgroup, --vswap-mode and --v1-limits "
		    "go with --config; for a container the running kernel and "
		    "accountd decide");
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
	{ "--vswap-mode", "MODE", "with --config: plan for vswap_mode ram, "
	    "kernel or off (default: ram)" },
	{ "--v1-limits", "MEM:MEMSW", "with --config: the v1 memory limits "
	    "already in force (the order of the writes depends on them)" },
	{ "-j", NULL, "JSON output" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_plan_entry = {
	"plan", "[CT]", "the cgroup writes set would make", cmd_plan,
	CMD_PARAMS, opts, 1
};
