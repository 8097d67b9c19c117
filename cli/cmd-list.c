/* SPDX-License-Identifier: ISC */
/*
 * acctctl list [-a|-S] [-H] [-o FIELD,...] [-j]
 * Containers, one line each, like vzlist: running ones by default, -a all,
 * -S stopped.  Fields: ctid bcid nproc status origin cgroup ram swap
 * mem_used error, and any parameter name (its value, or - when unset).
 * bcid is the number OpenVZ's tools see in /proc/user_beancounters.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctctl.h"
#include "params.h"
#include "xalloc.h"

#define MAX_FIELDS	32

static const char *const builtin[] = { "ctid", "bcid", "nproc", "status",
	"origin", "cgroup", "ram", "swap", "mem_used", "error" };

static bool
field_known(const char *f)
{
	for (size_t i = 0; i < nitems(builtin); i++)
		if (strcmp(builtin[i], f) == 0)
			return true;
	return param_by_name(f) != NULL && param_by_name(f)->key != NULL;
}

static char *
field_value(struct json_object *c, const char *f)
{
	struct json_object *ps, *dr, *d;
	char buf[32];

	if (strcmp(f, "ctid") == 0)
		return xstrdup(jstr(c, "ct"));
	if (strcmp(f, "bcid") == 0)
		return ju64(c, "bcid") == 0 ? xstrdup("-") : xasprintf("%llu",
		    (unsigned long long)ju64(c, "bcid"));
	if (strcmp(f, "nproc") == 0 || strcmp(f, "mem_used") == 0) {
		if (strcmp(jstr(c, "status"), "running") != 0)
			return xstrdup("-");
		if (f[0] == 'n')
			return xasprintf("%llu",
			    (unsigned long long)ju64(c, "nproc"));
		fmt_bytes(ju64(c, "mem_used"), buf, sizeof(buf));
		return xstrdup(buf);
	}
	if (strcmp(f, "error") == 0)
		return xstrdup(*jstr(c, "error") ? jstr(c, "error") : "-");
	/* a drifted limit: KERNEL!=CONFIGURED */
	if (json_object_object_get_ex(c, "drift", &dr) &&
	    json_object_object_get_ex(dr, strcmp(f, "ram") == 0 ? "physpages" :
	    strcmp(f, "swap") == 0 ? "swappages" : f, &d)) {
		if (strcmp(f, "ram") == 0 || strcmp(f, "swap") == 0)
			return xasprintf("%s!=%s", jstr(d, "kernel_bytes"),
			    jstr(d, "configured_bytes"));
		return xasprintf("%s!=%s", jstr(d, "kernel"),
		    jstr(d, "configured"));
	}
	for (size_t i = 0; i < nitems(builtin); i++)
		if (strcmp(builtin[i], f) == 0)
			return xstrdup(jstr(c, f));
	if (json_object_object_get_ex(c, "params", &ps)) {
		const char *v = jstr(ps, f);

		return xstrdup(*v ? v : "-");
	}
	return xstrdup("-");
}

static int
cmd_list(struct cmd_args *a)
{
	const char *fields[MAX_FIELDS] = { "ctid", "nproc", "status", "ram",
		"swap", "mem_used", "cgroup" };
	size_t nf = 7, nrows = 0;
	bool all = args_has(a, "-a"), stopped = args_has(a, "-S");
	bool header = !args_has(a, "-H");
	struct json_object *req, *reply, *cts;
	const char *spec = args_get(a, "-o");
	char *specbuf = NULL, ***rows = NULL;
	size_t width[MAX_FIELDS];
	int r;

	if (spec != NULL) {
		char *tok, *save = NULL;

		specbuf = xstrdup(spec);	/* fields point into it */
		nf = 0;
		for (tok = strtok_r(specbuf, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (!field_known(tok) || nf == MAX_FIELDS) {
				r = usage_error("list", "unknown field '%s' "
				    "(accepted: ctid bcid nproc status origin cgroup "
				    "ram swap mem_used error, or a parameter name)",
				    tok);
				free(specbuf);
				return r;
			}
			fields[nf++] = tok;
		}
	}
	req = client_req("list", NULL);
	r = client_call(req, &reply);
	json_object_put(req);
	if (r != EX_OK) {
		free(specbuf);
		return r;
	}
	json_object_object_get_ex(reply, "containers", &cts);
	if (opt_json) {
		print_json(reply);
		json_object_put(reply);
		free(specbuf);
		return EX_OK;
	}
	for (size_t f = 0; f < nf; f++)
		width[f] = header ? strlen(fields[f]) : 0;
	for (size_t i = 0; i < json_object_array_length(cts); i++) {
		struct json_object *c = json_object_array_get_idx(cts, i);
		bool running = strcmp(jstr(c, "status"), "running") == 0;

		if ((stopped && running) || (!stopped && !all && !running))
			continue;
		rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
		rows[nrows] = xcalloc(nf, sizeof(char *));
		for (size_t f = 0; f < nf; f++) {
			rows[nrows][f] = field_value(c, fields[f]);
			if (strlen(rows[nrows][f]) > width[f])
				width[f] = strlen(rows[nrows][f]);
		}
		nrows++;
	}
	if (header) {
		for (size_t f = 0; f < nf; f++) {
			char h[64];
			size_t k;

			for (k = 0; fields[f][k] && k < sizeof(h) - 1; k++)
				h[k] = (char)toupper((unsigned char)fields[f][k]);
			h[k] = '\0';
			printf(f == 0 || strcmp(fields[f], "nproc") == 0 ||
			    strcmp(fields[f], "bcid") == 0 ?
			    "%*s%s" : "%-*s%s", f + 1 < nf ? (int)width[f] : 0,
			    h, f + 1 < nf ? " " : "\n");
		}
	}
	for (size_t i = 0; i < nrows; i++) {
		for (size_t f = 0; f < nf; f++) {
			printf(f == 0 || strcmp(fields[f], "nproc") == 0 ||
			    strcmp(fields[f], "bcid") == 0 ?
			    "%*s%s" : "%-*s%s", f + 1 < nf ? (int)width[f] : 0,
			    rows[i][f], f + 1 < nf ? " " : "\n");
			free(rows[i][f]);
		}
		free(rows[i]);
	}
	free(rows);
	free(specbuf);
	json_object_put(reply);
	return EX_OK;
}

static const struct cmd_opt opts[] = {
	{ "-a", NULL, "also the stopped containers" },
	{ "-S", NULL, "only the stopped containers" },
	{ "-H", NULL, "no header line" },
	{ "-o", "FIELD,...", "these columns (acctctl.8 lists the fields)" },
	{ "-j", NULL, "JSON output" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_list_entry = {
	"list", "", "containers, like vzlist", cmd_list, 0, opts, 0
};
