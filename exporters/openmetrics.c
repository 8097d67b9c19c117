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
 * Speed: 10,000 containers make about 55 MB of text (metrics_detail =
 * full).  No printf: numbers are formatted by hand and each container's
 * label is escaped once.  Samples of one family are contiguous
 * (OpenMetrics requires it), so the loops go family by family over all
 * containers.  The pieces (a family's head, its samples for some
 * containers) are exported for mcache.c, which keeps them across rounds
 * and renders only what changed; metrics_render is the whole body in one
 * go, in the order of the names.
 *
 * metrics_detail = basic keeps the host families and, per container, the
 * metrics whose table row says `basic` (metrics.c): rows of
 * metric_basic_rows only (MB_ROWS) or samples that are not 0
 * (MB_NONZERO, a failcnt that never failed).
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

/* ---- formatting ------------------------------------------------------- */

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
put_fixed(struct sbuf *o, uint64_t v, int dec)
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
	sbuf_add(o, buf, k);
}

static void
put_u64(struct sbuf *o, uint64_t v)
{
	char buf[24];

	sbuf_add(o, buf, fmt_u64(buf, v));
}

static void
puts_(struct sbuf *o, const char *s)
{
	sbuf_add(o, s, strlen(s));
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

void
metrics_label(struct sbuf *b, const char *name)
{
	sbuf_add(b, "container=\"", 11);
	escape_label(b, name);
	sbuf_putc(b, '"');
}

/* ---- the families ------------------------------------------------------- */

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

static bool
in_level(const struct metric *m, enum mdetail d)
{
	return d == MD_FULL || m->scope == MS_HOST || m->basic != MB_NO;
}

/* The families in table order; a run of beancounter columns as their
 * rows-in-bytes families, then their rows-of-items families, then the
 * columns of every row (failcnt).  Made once per level and kept (static
 * storage, as the table). */
const struct mfam *
metrics_families(enum mdetail d, size_t *n)
{
	static struct mfam *fam[2];
	static size_t nfam[2];
	struct mfam *f = fam[d == MD_BASIC];
	size_t k = 0;

	if (f != NULL) {
		*n = nfam[d == MD_BASIC];
		return f;
	}
	/* a row is one family, a split beancounter column two */
	f = fam[d == MD_BASIC] = xcalloc(2 * metric_count, sizeof(*f));
	for (size_t i = 0; i < metric_count; i++) {
		const struct metric *m = &metric_table[i];
		size_t end;

		if (m->om == NULL)
			continue;
		if (m->scope != MS_ROW) {
			if (in_level(m, d))
				f[k++] = (struct mfam){ .m = m };
			continue;
		}
		for (end = i; end < metric_count &&
		    metric_table[end].scope == MS_ROW; end++)
			;
		for (int pass = 0; pass < 3; pass++)
			for (size_t j = i; j < end; j++) {
				const struct metric *x = &metric_table[j];

				if (x->om != NULL && in_level(x, d) &&
				    (x->om_items != NULL) == (pass < 2))
					f[k++] = (struct mfam){ .m = x,
					    .items = pass == 1 };
			}
		i = end - 1;
	}
	nfam[d == MD_BASIC] = k;
	*n = k;
	return f;
}

static const char *
fam_name(const struct mfam *f)
{
	return f->items ? f->m->om_items : f->m->om;
}

void
metrics_head(const struct mfam *f, enum mfmt fmt, struct sbuf *o)
{
	const struct metric *m = f->m;
	const char *name = fam_name(f);
	enum ftype type = ftype_of(m);
	/* rows of items have no unit; a family split in two has it on the
	 * rows in bytes only */
	const char *unit = m->scope != MS_ROW ? unit_of(m) :
	    m->om_items != NULL && !f->items ? unit_of(m) : NULL;

	puts_(o, "# HELP ");
	puts_(o, name);
	if (fmt == MFMT_TEXT && type == F_COUNTER)
		puts_(o, "_total");
	if (fmt == MFMT_TEXT && type == F_INFO)
		puts_(o, "_info");
	sbuf_putc(o, ' ');
	puts_(o, f->items ? m->help_items : m->help);
	puts_(o, "\n# TYPE ");
	puts_(o, name);
	if (fmt == MFMT_OPENMETRICS) {
		puts_(o, type == F_COUNTER ? " counter\n" : type == F_INFO ?
		    " info\n" : " gauge\n");
		if (unit != NULL) {
			puts_(o, "# UNIT ");
			puts_(o, name);
			sbuf_putc(o, ' ');
			puts_(o, unit);
			sbuf_putc(o, '\n');
		}
	} else {
		puts_(o, type == F_COUNTER ? "_total counter\n" :
		    type == F_INFO ? "_info gauge\n" : " gauge\n");
	}
}

/* a value in the family's unit: seconds from us or ms, CPUs from % */
static void
put_value(struct sbuf *o, const struct metric *m, uint64_t v)
{
	if ((m->flags & MF_LIMIT) && sv_unlimited(v)) {
		sbuf_add(o, "+Inf", 4);
		return;
	}
	switch (m->unit) {
	case MU_USEC:
		put_fixed(o, v, 6);
		break;
	case MU_MSEC:
		put_fixed(o, v, 3);
		break;
	case MU_CPUPCT:
		put_fixed(o, v, 2);
		break;
	default:
		put_u64(o, v);
	}
}

void
metrics_host(const struct mfam *f, enum mfmt fmt,
    const struct snap_header *h, const struct capacity *cap, struct sbuf *o)
{
	const struct metric *m = f->m;
	uint64_t v;

	metrics_head(f, fmt, o);
	switch (m->src) {
	case MS_BUILD_INFO:
		puts_(o, "accountd_build_info{version=\"");
		escape_label(o, h->version_str);
		puts_(o, "\",cgroup_mode=\"");
		escape_label(o, h->cgroup_mode);
		puts_(o, "\",hostname=\"");
		escape_label(o, h->hostname);
		puts_(o, "\"} 1\n");
		break;
	case MS_CONTAINERS:
		puts_(o, "accountd_host_containers{state=\"running\"} ");
		put_u64(o, cap->running);
		puts_(o, "\naccountd_host_containers{state=\"stopped\"} ");
		put_u64(o, cap->stopped);
		sbuf_putc(o, '\n');
		break;
	case MS_UNLIMITED:
		puts_(o, "accountd_host_containers_unlimited{resource="
		    "\"physpages\"} ");
		put_u64(o, cap->ram_unlimited);
		puts_(o, "\naccountd_host_containers_unlimited{resource="
		    "\"swappages\"} ");
		put_u64(o, cap->swap_unlimited);
		puts_(o, "\naccountd_host_containers_unlimited{resource="
		    "\"cpu\"} ");
		put_u64(o, cap->cpu_unlimited);
		sbuf_putc(o, '\n');
		break;
	default:
		puts_(o, m->om);
		puts_(o, m->kind == MK_COUNTER ? "_total " : " ");
		metric_value(m, 0, h, cap, NULL, 0, &v);
		put_value(o, m, v);
		sbuf_putc(o, '\n');
	}
}

/* THE list of a container's samples in a family: (device or row, value)
 * in their order.  Rendering and the comparison of two rounds
 * (metrics_same) both go through it. */
struct fsample {
	unsigned	sub;
	uint64_t	v;
};

/* The sample of device or row s: 1 and *v, or 0 when there is none. */
static int
sub_value(const struct mfam *f, enum mdetail d, const struct snap_header *h,
    const struct snap_ct *c, unsigned s, uint64_t *v)
{
	const struct metric *m = f->m;

	if (m->scope == MS_ROW && ((m->om_items != NULL &&
	    snap_row_bytes(&c->row[s]) == f->items) ||
	    (d == MD_BASIC && m->basic == MB_ROWS &&
	    !(metric_basic_rows & (1u << s)))))
		return 0;
	if (!metric_value(m, m->om_when, h, NULL, c, s, v))
		return 0;
	return d == MD_BASIC && m->basic == MB_NONZERO && *v == 0 ? 0 : 1;
}

static size_t
fam_values(const struct mfam *f, enum mdetail d, const struct snap_header *h,
    const struct snap_ct *c, struct fsample *out)
{
	const struct metric *m = f->m;
	unsigned nsub = m->scope == MS_DEV ? c->ndev : m->scope == MS_ROW ?
	    SNAP_ROWS : 1;
	size_t k = 0;

	for (unsigned s = 0; s < nsub; s++) {
		if (!sub_value(f, d, h, c, s, &out[k].v))
			continue;
		out[k].sub = s;
		k++;
	}
	return k;
}

size_t
metrics_samples(const struct mfam *f, enum mdetail d,
    const struct snap_header *h, const struct snap_ct *cts,
    const uint32_t *idx, size_t k, const char *const *lbl,
    const size_t *lbllen, struct sbuf *o)
{
	const struct metric *m = f->m;
	const char *name = fam_name(f);
	size_t nlen = strlen(name), samples = 0;
	bool counter = m->kind == MK_COUNTER;

	for (size_t j = 0; j < k; j++) {
		uint32_t i = idx != NULL ? idx[j] : (uint32_t)j;
		const struct snap_ct *c = &cts[i];
		struct fsample sv[SNAP_ROWS];
		size_t ns = fam_values(f, d, h, c, sv);

		for (size_t s = 0; s < ns; s++) {
			sbuf_add(o, name, nlen);
			if (counter)
				sbuf_add(o, "_total{", 7);
			else
				sbuf_putc(o, '{');
			sbuf_add(o, lbl[i], lbllen[i]);
			if (m->scope == MS_DEV) {
				sbuf_add(o, ",device=\"", 9);
				escape_label(o, c->dev[sv[s].sub].dev);
				sbuf_putc(o, '"');
			} else if (m->scope == MS_ROW) {
				sbuf_add(o, ",resource=\"", 11);
				puts_(o, ub_name((enum ub_res)sv[s].sub));
				sbuf_putc(o, '"');
			}
			sbuf_add(o, "} ", 2);
			put_value(o, m, sv[s].v);
			sbuf_putc(o, '\n');
		}
		samples += ns;
	}
	return samples;
}

/* What decides whether a container has a sample at all (metric_value's
 * conditions) is the same in a and b. */
static bool
same_conditions(const struct snap_ct *a, const struct snap_ct *b)
{
	return a->running == b->running && a->ndev == b->ndev &&
	    a->have_psi == b->have_psi && a->have_quota == b->have_quota &&
	    (a->cpu_user == 0 && a->cpu_system == 0) ==
	    (b->cpu_user == 0 && b->cpu_system == 0) &&
	    (a->nr_periods == 0) == (b->nr_periods == 0);
}

bool
metrics_same(const struct mfam *f, enum mdetail d,
    const struct snap_header *h, const struct snap_ct *a,
    const struct snap_ct *b)
{
	struct fsample x[SNAP_ROWS], y[SNAP_ROWS];
	size_t nx, ny;

	/* the usual case, a busy container: the same conditions, some rows
	 * or devices moved; one whose bytes are equal has equal samples,
	 * the others are compared sample by sample */
	if (f->m->scope != MS_CT && same_conditions(a, b)) {
		bool row = f->m->scope == MS_ROW;
		unsigned nsub = row ? SNAP_ROWS : a->ndev;

		for (unsigned k = 0; k < nsub; k++) {
			uint64_t va = 0, vb = 0;
			int ha, hb;

			if (row ? memcmp(&a->row[k], &b->row[k],
			    sizeof(a->row[k])) == 0 : memcmp(&a->dev[k],
			    &b->dev[k], sizeof(a->dev[k])) == 0)
				continue;
			if (!row && strcmp(a->dev[k].dev, b->dev[k].dev) != 0)
				return false;
			ha = sub_value(f, d, h, a, k, &va);
			hb = sub_value(f, d, h, b, k, &vb);
			if (ha != hb || (ha && va != vb))
				return false;
		}
		return true;
	}
	nx = fam_values(f, d, h, a, x);
	ny = fam_values(f, d, h, b, y);

	if (nx != ny)
		return false;
	for (size_t s = 0; s < nx; s++)
		if (x[s].sub != y[s].sub || x[s].v != y[s].v ||
		    (f->m->scope == MS_DEV && strcmp(a->dev[x[s].sub].dev,
		    b->dev[y[s].sub].dev) != 0))
			return false;
	return true;
}

void
metrics_render(const struct snap_header *h, const struct snap_ct *cts,
    size_t n, enum mfmt fmt, enum mdetail d, struct sbuf *out)
{
	struct sbuf lb = SBUF_INIT;
	size_t *off = xcalloc(n + 1, sizeof(size_t));
	const char **lbl = xcalloc(n ? n : 1, sizeof(char *));
	size_t *lbllen = xcalloc(n ? n : 1, sizeof(size_t));
	struct capacity cap;
	const struct mfam *fam;
	size_t nfam;

	/* each container's label once: container="NAME" */
	for (size_t i = 0; i < n; i++) {
		off[i] = lb.len;
		metrics_label(&lb, cts[i].name);
	}
	off[n] = lb.len;
	for (size_t i = 0; i < n; i++) {
		lbl[i] = lb.s + off[i];
		lbllen[i] = off[i + 1] - off[i];
	}
	capacity_compute(h, cts, n, &cap);
	fam = metrics_families(d, &nfam);
	for (size_t i = 0; i < nfam; i++) {
		size_t mark = out->len;

		if (fam[i].m->scope == MS_HOST) {
			metrics_host(&fam[i], fmt, h, &cap, out);
			continue;
		}
		metrics_head(&fam[i], fmt, out);
		/* a family without samples leaves nothing behind */
		if (metrics_samples(&fam[i], d, h, cts, NULL, n, lbl, lbllen,
		    out) == 0) {
			out->len = mark;
			if (out->s != NULL)
				out->s[mark] = '\0';
		}
	}
	if (fmt == MFMT_OPENMETRICS)
		puts_(out, "# EOF\n");
	free(lbl);
	free(lbllen);
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
