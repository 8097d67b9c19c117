/* SPDX-License-Identifier: ISC */
/* accountd-hook's parsers: see hookparse.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hookparse.h"
#include "params.h"
#include "xalloc.h"

int
hook_param_add(struct json_object *ps, const char *what, const char *name,
    const char *value, struct aerr *err)
{
	const struct param_def *d = param_by_name(name);
	struct ct_params p;
	int r;

	if (d == NULL)
		return aerr_set(err, EINVAL, "%s: unknown parameter '%s' (acctctl "
		    "help params lists them)", what, name);
	memset(&p, 0, sizeof(p));
	if ((r = param_parse(d, value, &p, err)) < 0)
		return aerr_prefix(err, "%s: ", what);
	json_object_object_add(ps, name, json_object_new_string(value));
	return 0;
}

static const char *
str_of(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A 64-digit hex id (Docker, containerd, podman) becomes its first 12
 * digits, as accountd's discover= names it. */
static void
set_name(struct hook_state *st, const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	snprintf(st->name, sizeof(st->name), "%s", s);
	if (n >= 32 && s[n] == '\0')
		st->name[12] = '\0';
}

void
hook_state_free(struct hook_state *st)
{
	json_object_put(st->params);
	st->params = NULL;
}

int
hook_oci_parse(const char *text, bool with_params, struct hook_state *st,
    struct aerr *err)
{
	struct json_object *state, *v, *an;
	const char *s;
	int r = 0;

	memset(st, 0, sizeof(*st));
	st->params = json_object_new_object();
	state = json_tokener_parse(text);
	if (state == NULL || !json_object_is_type(state, json_type_object)) {
		json_object_put(state);
		return aerr_set(err, EINVAL, "stdin is not an OCI state (a JSON "
		    "object with id, pid, status)");
	}
	if ((s = str_of(state, "id")) == NULL || *s == '\0') {
		r = aerr_set(err, EINVAL, "no \"id\" in the OCI state on stdin");
		goto out;
	}
	set_name(st, s);
	s = str_of(state, "status");
	st->stopped = s != NULL && strcmp(s, "stopped") == 0;
	if (json_object_object_get_ex(state, "pid", &v) &&
	    json_object_is_type(v, json_type_int)) {
		int64_t pid = json_object_get_int64(v);

		st->pid = pid > 0 && pid <= 0x3fffffff ? (long)pid : 0;
	}
	if (!json_object_object_get_ex(state, "annotations", &an) ||
	    !json_object_is_type(an, json_type_object))
		goto out;
	if ((s = str_of(an, HOOK_ANNOT_PREFIX "ct")) != NULL) {
		if (*s == '\0') {	/* found by fuzz-hook: an empty name */
			r = aerr_set(err, EINVAL, "annotation " HOOK_ANNOT_PREFIX
			    "ct is empty (accepted: a container name)");
			goto out;
		}
		snprintf(st->name, sizeof(st->name), "%s", s);
	}
	json_object_object_foreach(an, k, av) {
		const size_t plen = strlen(HOOK_ANNOT_PREFIX);
		char what[160];

		if (!with_params || strncmp(k, HOOK_ANNOT_PREFIX, plen) != 0 ||
		    strcmp(k + plen, "ct") == 0)
			continue;
		snprintf(what, sizeof(what), "annotation %.120s", k);
		if (!json_object_is_type(av, json_type_string)) {
			r = aerr_set(err, EINVAL, "%s: not a string", what);
			goto out;
		}
		if ((r = hook_param_add(st->params, what, k + plen,
		    json_object_get_string(av), err)) < 0)
			goto out;
	}
out:
	json_object_put(state);
	return r;
}

char *
hook_cgroup_pick(const char *text, struct aerr *err)
{
	static const char *const pref[] = { "memory", "pids", "cpu" };
	char *best[4] = { NULL, NULL, NULL, NULL }, *r = NULL;
	const char *p = text;
	size_t nlines = 0;

	/* lines "ID:CONTROLLERS:PATH"; v2's is "0::PATH" */
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = xstrndup(p, n);
		char *c1 = strchr(line, ':'), *c2, *ctrls, *tok, *save = NULL;

		p = nl ? nl + 1 : p + n;
		if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL ||
		    c2[1] != '/')
			continue;
		*c1 = *c2 = '\0';
		nlines++;
		if (strcmp(line, "0") == 0 && c1 + 1 == c2) {
			free(best[3]);
			best[3] = xstrdup(c2 + 1);
			continue;
		}
		ctrls = c1 + 1;
		for (tok = strtok_r(ctrls, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save))
			for (size_t i = 0; i < nitems(pref); i++)
				if (strcmp(tok, pref[i]) == 0 && best[i] == NULL)
					best[i] = xstrdup(c2 + 1);
	}
	for (size_t i = 0; i < nitems(best); i++) {
		if (r == NULL && best[i] != NULL && strcmp(best[i], "/") != 0)
			r = best[i];
		else
			free(best[i]);
	}
	if (r == NULL && nlines == 0)
		aerr_set(err, EINVAL, "no cgroup line in /proc/PID/cgroup "
		    "(accepted: ID:CONTROLLERS:/PATH lines)");
	else if (r == NULL)
		aerr_set(err, EINVAL, "the process is in the root cgroup (the "
		    "runtime made no cgroup for it)");
	return r;
}
