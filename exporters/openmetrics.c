/* SPDX-License-Identifier: ISC */
/*
 * /metrics: the snapshot in Prometheus text format 0.0.4 or OpenMetrics
 * 1.0 (negotiate.c picks).  Conventions (prometheus.io naming, OpenMetrics
 * 1.0): one prefix, accountd_; base units (bytes, seconds), the unit as
 * the name's suffix; counters end in _total; labels are bounded: the
 * container's name, the beancounter resource (a fixed list of 21), the
 * device (MAJ:MIN), and a few fixed values.
 *
 * The two formats differ in three places only:
 *
 *			text 0.0.4			OpenMetrics 1.0
 *   counter TYPE	# TYPE x_total counter		# TYPE x counter
 *   unit		(none)				# UNIT x_bytes bytes
 *   info		# TYPE x_info gauge		# TYPE x info
 *   end		(none)				# EOF
 *
 * Beancounter rows keep one unit per metric: rows counted in pages or
 * bytes become accountd_beancounter_*_bytes (pages x 4096), rows that
 * count items (numproc, numfile, ...) accountd_beancounter_* without a
 * unit.  Unlimited is +Inf, so held / limit is 0 there and alert rules
 * need no special case.  A row the kernel has no source for is absent,
 * never 0.
 *
 * Speed: 10,000 containers make about 40 MB of text.  No printf: numbers
 * are formatted by hand and each container's label is escaped once.
 * Samples of one family are contiguous (OpenMetrics requires it), so the
 * loops go family by family over all containers.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "params.h"
#include "ubc.h"
#include "xalloc.h"

enum ftype { F_GAUGE, F_COUNTER, F_INFO };

struct rctx {
	struct sbuf		*o;
	enum mfmt		 fmt;
	const struct snap_header *h;
	const struct snap_ct	*cts;
	size_t			 n;
	char			**lbl;		/* container="NAME", escaped */
	size_t			*lbllen;
	size_t			 mark;		/* start of the family */
	size_t			 samples;	/* in the family */
	enum ftype		 type;
	const char		*name;
};

/* ---- formatting ------------------------------------------------------- */

static void
put(struct rctx *r, const char *s, size_t n)
{
	sbuf_add(r->o, s, n);
}

static void
puts_(struct rctx *r, const char *s)
{
	sbuf_add(r->o, s, strlen(s));
}

/* u64 in decimal into buf (>= 21 bytes); returns the length. */
static size_t
fmt_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return k;
}

/* v / 10^dec, with the fraction's trailing zeros dropped. */
static void
put_fixed(struct rctx *r, uint64_t v, int dec)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000,
		1000000 };
	char buf[48];
	size_t k = fmt_u64(buf, v / pow10[dec]);
	uint64_t frac = v % pow10[dec];

	if (frac != 0) {
		int d = dec;

		buf[k++] = '.';
		while (frac % 10 == 0) {
			frac /= 10;
			d--;
		}
		for (int i = d - 1; i >= 0; i--) {
			buf[k + (size_t)i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		k += (size_t)d;
	}
	put(r, buf, k);
}

static void
put_u64(struct rctx *r, uint64_t v)
{
	char buf[24];

	put(r, buf, fmt_u64(buf, v));
}

static void
escape_label(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			sbuf_add(b, "\\\\", 2);
		else if (*s == '"')
			sbuf_add(b, "\\\"", 2);
		else if (*s == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_putc(b, *s);
	}
}

/* ---- families and samples --------------------------------------------- */

static void
family(struct rctx *r, const char *name, enum ftype type, const char *unit,
    const char *help)
{
	r->mark = r->o->len;
	r->samples = 0;
	r->type = type;
	r->name = name;
	puts_(r, "# HELP ");
	puts_(r, name);
	if (r->fmt == MFMT_TEXT && type == F_COUNTER)
		puts_(r, "_total");
	if (r->fmt == MFMT_TEXT && type == F_INFO)
		puts_(r, "_info");
	put(r, " ", 1);
	puts_(r, help);
	puts_(r, "\n# TYPE ");
	puts_(r, name);
	if (r->fmt == MFMT_OPENMETRICS) {
		puts_(r, type == F_COUNTER ? " counter\n" : type == F_INFO ?
		    " info\n" : " gauge\n");
		if (unit != NULL) {
			puts_(r, "# UNIT ");
			puts_(r, name);
			put(r, " ", 1);
			puts_(r, unit);
			put(r, "\n", 1);
		}
	} else {
		puts_(r, type == F_COUNTER ? "_total counter\n" :
		    type == F_INFO ? "_info gauge\n" : " gauge\n");
	}
}

/* A family without samples leaves nothing behind. */
static void
family_end(struct rctx *r)
{
	if (r->samples == 0) {
		r->o->len = r->mark;
		r->o->s[r->mark] = '\0';
	}
}

/* Start a sample: name, suffix, '{', the container's label. */
static void
sample_ct(struct rctx *r, size_t i)
{
	puts_(r, r->name);
	if (r->type == F_COUNTER)
		put(r, "_total{", 7);
	else
		put(r, "{", 1);
	put(r, r->lbl[i], r->lbllen[i]);
	r->samples++;
}

/* ..., key="value"} and the value follows; the value is escaped (a
 * device name comes from the snapshot like the container's) */
static void
label_end(struct rctx *r, const char *key, const char *val)
{
	if (key != NULL) {
		put(r, ",", 1);
		puts_(r, key);
		put(r, "=\"", 2);
		escape_label(r->o, val);
		put(r, "\"", 1);
	}
	put(r, "} ", 2);
}

static void
eol(struct rctx *r)
{
	put(r, "\n", 1);
}

/* ---- families from the metric table (metrics.c) ------------------------ */

static enum ftype
ftype_of(const struct metric *m)
{
	return m->kind == MK_COUNTER ? F_COUNTER : m->kind == MK_INFO ?
	    F_INFO : F_GAUGE;
}

static const char *
unit_of(const struct metric *m)
{
	switch (m->unit) {
	case MU_BYTES:
		return "bytes";
	case MU_USEC:
	case MU_MSEC:
	case MU_SEC:
		return "seconds";
	case MU_CPUPCT:
		return "cpus";
	default:
		return NULL;
	}
}

/* a value in the family's unit: seconds from us or ms, CPUs from % */
static void
put_value(struct rctx *r, const struct metric *m, uint64_t v)
{
	if ((m->flags & MF_LIMIT) && sv_unlimited(v)) {
		put(r, "+Inf", 4);
		return;
	}
	switch (m->unit) {
	case MU_USEC:
		put_fixed(r, v, 6);
		break;
	case MU_MSEC:
		put_fixed(r, v, 3);
		break;
	case MU_CPUPCT:
		put_fixed(r, v, 2);
		break;
	default:
		put_u64(r, v);
	}
}

/* the host families with labels of their own */
static void
host_special(struct rctx *r, const struct metric *m,
    const struct capacity *cap)
{
	family(r, m->om, ftype_of(m), unit_of(m), m->help);
	switch (m->src) {
	case MS_BUILD_INFO:
		puts_(r, "accountd_build_info{version=\"");
		escape_label(r->o, r->h->version_str);
		puts_(r, "\",cgroup_mode=\"");
		escape_label(r->o, r->h->cgroup_mode);
		puts_(r, "\",hostname=\"");
		escape_label(r->o, r->h->hostname);
		puts_(r, "\"} 1\n");
		r->samples++;
		break;
	case MS_CONTAINERS:
		puts_(r, "accountd_host_containers{state=\"running\"} ");
		put_u64(r, cap->running);
		puts_(r, "\naccountd_host_containers{state=\"stopped\"} ");
		put_u64(r, cap->stopped);
		eol(r);
		r->samples += 2;
		break;
	default:	/* MS_UNLIMITED */
		puts_(r, "accountd_host_containers_unlimited{resource="
		    "\"physpages\"} ");
		put_u64(r, cap->ram_unlimited);
		puts_(r, "\naccountd_host_containers_unlimited{resource="
		    "\"swappages\"} ");
		put_u64(r, cap->swap_unlimited);
		puts_(r, "\naccountd_host_containers_unlimited{resource="
		    "\"cpu\"} ");
		put_u64(r, cap->cpu_unlimited);
		eol(r);
		r->samples += 3;
	}
	family_end(r);
}

static void
host_family(struct rctx *r, const struct metric *m,
    const struct capacity *cap)
{
	uint64_t v;

	family(r, m->om, ftype_of(m), unit_of(m), m->help);
	puts_(r, m->om);
	puts_(r, m->kind == MK_COUNTER ? "_total " : " ");
	metric_value(m, 0, r->h, cap, NULL, 0, &v);
	put_value(r, m, v);
	eol(r);
	r->samples++;
	family_end(r);
}

static void
ct_family(struct rctx *r, const struct metric *m, const struct capacity *cap)
{
	family(r, m->om, ftype_of(m), unit_of(m), m->help);
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];
		uint32_t ndev = m->scope == MS_DEV ? c->ndev : 1;

		for (uint32_t d = 0; d < ndev; d++) {
			uint64_t v;

			if (!metric_value(m, m->om_when, r->h, cap, c, d, &v))
				continue;
			sample_ct(r, i);
			label_end(r, m->scope == MS_DEV ? "device" : NULL,
			    c->dev[d].dev);
			put_value(r, m, v);
			eol(r);
		}
	}
	family_end(r);
}

/* A beancounter column: the family of rows in bytes, or of items (for
 * failcnt, without om_items, every row). */
static void
row_family(struct rctx *r, const struct metric *m, bool items,
    const struct capacity *cap)
{
	bool split = m->om_items != NULL;

	family(r, items ? m->om_items : m->om, ftype_of(m),
	    split && !items ? unit_of(m) : NULL, items ? m->help_items :
	    m->help);
	for (size_t i = 0; i < r->n; i++) {
		const struct snap_ct *c = &r->cts[i];

		for (unsigned k = 0; k < SNAP_ROWS; k++) {
			uint64_t v;

			if ((split && snap_row_bytes(&c->row[k]) == items) ||
			    !metric_value(m, m->om_when, r->h, cap, c, k, &v))
				continue;
			sample_ct(r, i);
			label_end(r, "resource", ub_name((enum ub_res)k));
			put_value(r, m, v);
			eol(r);
		}
	}
	family_end(r);
}

/* The families in table order; a run of beancounter columns as their
 * rows-in-bytes families, then their rows-of-items families, then the
 * columns of every row (failcnt). */
static void
render_table(struct rctx *r)
{
	struct capacity cap;

	capacity_compute(r->h, r->cts, r->n, &cap);
	for (size_t i = 0; i < metric_count; i++) {
		const struct metric *m = &metric_table[i];
		size_t end;

		if (m->om == NULL)
			continue;
		switch (m->scope) {
		case MS_HOST:
			if (m->src == MS_BUILD_INFO ||
			    m->src == MS_CONTAINERS || m->src == MS_UNLIMITED)
				host_special(r, m, &cap);
			else
				host_family(r, m, &cap);
			break;
		case MS_ROW:
			for (end = i; end < metric_count &&
			    metric_table[end].scope == MS_ROW; end++)
				;
			for (int pass = 0; pass < 3; pass++)
				for (size_t k = i; k < end; k++) {
					const struct metric *x = &metric_table[k];

					if (x->om != NULL &&
					    (x->om_items != NULL) == (pass < 2))
						row_family(r, x, pass == 1, &cap);
				}
			i = end - 1;
			break;
		default:
			ct_family(r, m, &cap);
		}
	}
}

void
metrics_render(const struct snap_header *h, const struct snap_ct *cts,
    size_t n, enum mfmt fmt, struct sbuf *out)
{
	struct rctx r = { .o = out, .fmt = fmt, .h = h, .cts = cts, .n = n };
	struct sbuf lb = SBUF_INIT;
	size_t *off = xcalloc(n ? n : 1, sizeof(size_t));

	/* each container's label once: container="NAME" */
	for (size_t i = 0; i < n; i++) {
		off[i] = lb.len;
		sbuf_add(&lb, "container=\"", 11);
		escape_label(&lb, cts[i].name);
		sbuf_putc(&lb, '"');
	}
	r.lbl = xcalloc(n ? n : 1, sizeof(char *));
	r.lbllen = xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		r.lbl[i] = lb.s + off[i];
		r.lbllen[i] = (i + 1 < n ? off[i + 1] : lb.len) - off[i];
	}
	render_table(&r);
	if (fmt == MFMT_OPENMETRICS)
		puts_(&r, "# EOF\n");
	free(r.lbl);
	free(r.lbllen);
	free(off);
	sbuf_free(&lb);
}

const char *
metrics_content_type(enum mfmt fmt, const char *om_version)
{
	if (fmt == MFMT_OPENMETRICS)
		return strcmp(om_version, "0.0.1") == 0 ?
		    "application/openmetrics-text; version=0.0.1; charset=utf-8" :
		    "application/openmetrics-text; version=1.0.0; charset=utf-8";
	return "text/plain; version=0.0.4; charset=utf-8";
}
