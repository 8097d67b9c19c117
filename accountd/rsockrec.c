/* SPDX-License-Identifier: ISC */
/*
 * The forwarded record of the read-only socket's server, checked as root
 * reads it (rsockrec.h).  Pure: no I/O; the fuzz target calls it as the
 * daemon does.  The helper is unprivileged and serves any local user, so
 * a record is a trust boundary: nothing in it is used before this check.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctconf.h"
#include "rsockrec.h"

static const struct {
	const char	*cmd;
	unsigned	 flags;		/* allowed RQF_* */
	unsigned	 min, max;	/* names */
} kinds[RQ_KIND_END] = {
	[RQ_HELLO]	= { "hello", 0, 0, 0 },
	[RQ_LIST]	= { "list", 0, 0, 0 },
	[RQ_SHOW]	= { "show", 0, 1, 1 },
	[RQ_PLAN]	= { "plan", RQF_PARAMS, 1, 1 },
	[RQ_UBC]	= { "ubc", RQF_CTS, 0, RSOCK_CTS },
	[RQ_MEMINFO]	= { "meminfo", 0, 1, 1 },
	[RQ_QUOTA]	= { "quota", RQF_TABLE, 1, 1 },
};

enum rsock_kind
rsock_kind_of(const char *cmd)
{
	for (int k = RQ_HELLO; k < RQ_KIND_END; k++)
		if (strcmp(kinds[k].cmd, cmd) == 0)
			return (enum rsock_kind)k;
	return 0;
}

const char *
rsock_kind_name(enum rsock_kind k)
{
	return k >= RQ_HELLO && k < RQ_KIND_END ? kinds[k].cmd : "?";
}

static bool
terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

/* The list-valued rows keep their text apart from struct pval. */
static const char *
side_text(const struct rsock_params *p, unsigned row, size_t *len)
{
	*len = LIST_MAX;
	switch (row) {
	case P_CPUMASK:		return p->cpumask;
	case P_NODEMASK:	return p->nodemask;
	case P_IODEVICES:	return p->iodevices;
	case P_PRIVATE:		return p->private_dir;
	default:		return NULL;
	}
}

void
rsock_params_put(struct rsock_params *w, const struct ct_params *p)
{
	memset(w, 0, sizeof(*w));
	memcpy(w->v, p->v, sizeof(w->v));
	snprintf(w->cpumask, LIST_MAX, "%s", params_text(p, P_CPUMASK));
	snprintf(w->nodemask, LIST_MAX, "%s", params_text(p, P_NODEMASK));
	snprintf(w->iodevices, LIST_MAX, "%s", params_text(p, P_IODEVICES));
	snprintf(w->private_dir, LIST_MAX, "%s", params_text(p, P_PRIVATE));
}

static const char *
interned(const char *text)
{
	return *text != '\0' ? params_intern(text) : NULL;
}

void
rsock_params_get(const struct rsock_params *w, struct ct_params *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->v, w->v, sizeof(p->v));
	p->cpumask = interned(w->cpumask);
	p->nodemask = interned(w->nodemask);
	p->iodevices = interned(w->iodevices);
	p->private_dir = interned(w->private_dir);
}

/* Every row set holds what the row's own parser makes of the row's own
 * text form; every other row and text is empty. */
static int
params_check(const struct rsock_params *w, bool any, struct aerr *err)
{
	static const struct pval none;
	struct ct_params pp, *p = &pp;

	for (unsigned i = 0; i < P_COUNT; i++) {
		size_t len;
		const char *side = side_text(w, i, &len);

		if (side != NULL && !terminated(side, len))
			return aerr_set(err, EPROTO, "forwarded record: the text "
			    "of --%s is not terminated", param_table[i].name);
	}
	rsock_params_get(w, p);
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct param_def *d = &param_table[i];
		const char *side;
		struct ct_params q;
		char text[LIST_MAX + 64];
		size_t len;

		side = side_text(w, i, &len);
		if (!p->v[i].set || !any) {
			if (memcmp(&p->v[i], &none, sizeof(none)) != 0 ||
			    (side != NULL && *side != '\0'))
				return aerr_set(err, EPROTO, "forwarded record: "
				    "--%s holds a value %s", d->name, any ?
				    "but is not set" : "in a request without "
				    "parameters");
			continue;
		}
		if (p->v[i].set != 1)
			return aerr_set(err, EPROTO, "forwarded record: --%s: "
			    "bad set mark %u", d->name, p->v[i].set);
		param_format(d, p, text, sizeof(text));
		memset(&q, 0, sizeof(q));
		if (param_parse(d, text, &q, NULL) < 0 ||
		    !params_same(p, &q, (enum param_id)i))
			return aerr_set(err, EPROTO, "forwarded record: --%s is "
			    "not a value its parser makes", d->name);
	}
	return 0;
}

int
rsockrec_decode(const void *buf, size_t len, struct rsock_req *out,
    struct aerr *err)
{
	struct rsock_req *r = out;

	if (len != sizeof(*r))
		return aerr_set(err, EPROTO, "forwarded record of %zu bytes "
		    "(accepted: %zu)", len, sizeof(*r));
	memcpy(r, buf, sizeof(*r));
	if (r->magic != RSOCK_MAGIC || r->version != RSOCK_VERSION)
		return aerr_set(err, EPROTO, "forwarded record: bad magic or "
		    "version (accepted: %#x, %d)", RSOCK_MAGIC, RSOCK_VERSION);
	if (r->kind < RQ_HELLO || r->kind >= RQ_KIND_END)
		return aerr_set(err, EPROTO, "forwarded record: bad kind %u",
		    r->kind);
	if ((r->flags & ~kinds[r->kind].flags) != 0)
		return aerr_set(err, EPROTO, "forwarded record: %s takes no "
		    "flags %#x", kinds[r->kind].cmd, r->flags);
	if (r->nct < kinds[r->kind].min || r->nct > kinds[r->kind].max ||
	    (r->nct > 0 && r->kind == RQ_UBC && !(r->flags & RQF_CTS)))
		return aerr_set(err, EPROTO, "forwarded record: %s with %u "
		    "names", kinds[r->kind].cmd, r->nct);
	for (unsigned i = 0; i < RSOCK_CTS; i++) {
		if (!terminated(r->ct[i], RSOCK_NAME_MAX))
			return aerr_set(err, EPROTO, "forwarded record: name %u "
			    "is not terminated", i);
		if (i < r->nct && !ctconf_name_ok(r->ct[i]))
			return aerr_set(err, EPROTO, "forwarded record: bad "
			    "container name '%s'", r->ct[i]);
		if (i >= r->nct && r->ct[i][0] != '\0')
			return aerr_set(err, EPROTO, "forwarded record: name %u "
			    "past the %u used", i, r->nct);
	}
	return params_check(&r->params, (r->flags & RQF_PARAMS) != 0, err);
}
