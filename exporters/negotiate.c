/* SPDX-License-Identifier: ISC */
/*
 * The small HTTP parsers of the exporter, pure so that they can be fuzzed
 * (tests/exporters/fuzz-http.c):
 *
 *   negotiate_format()	Accept -> Prometheus text 0.0.4 or OpenMetrics.
 *	Prometheus 2.x sends
 *	  application/openmetrics-text;version=1.0.0,application/openmetrics-
 *	  text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*;q=0.1
 *	The highest q wins; OpenMetrics only when named (a wildcard means
 *	the text format, which every client reads); anything we cannot
 *	serve falls back to text 0.0.4, as Prometheus' client libraries do.
 *   negotiate_gzip()	Accept-Encoding -> gzip or not.
 *   query_parse()	a query string against a list of allowed keys.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"

/* One element of a comma-separated header list, quotes respected. */
struct elem {
	char	type[64];		/* "type/subtype", lower case */
	char	version[16];
	int	q;			/* 0..1000; -1: bad */
};

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int
parse_q(const char *v, size_t n)
{
	int q = 0, scale = 100;

	if (n == 0 || (v[0] != '0' && v[0] != '1'))
		return -1;
	q = (v[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (v[1] != '.' || n > 5)
		return -1;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		q += (v[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

static void
copy_lower(char *dst, size_t size, const char *src, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Parse [p, end) as one media range with parameters. */
static void
parse_elem(const char *p, const char *end, struct elem *e)
{
	const char *semi;

	memset(e, 0, sizeof(*e));
	e->q = 1000;
	p = skip_ws(p, end);
	if (p >= end) {
		e->q = -1;
		return;
	}
	semi = memchr(p, ';', (size_t)(end - p));
	{
		const char *te = semi ? semi : end;

		while (te > p && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		if ((size_t)(te - p) >= sizeof(e->type)) {
			e->q = -1;
			return;
		}
		copy_lower(e->type, sizeof(e->type), p, (size_t)(te - p));
	}
	while (semi != NULL) {
		const char *k = skip_ws(semi + 1, end), *eq, *v, *ve;
		char key[16];

		/* the end of this parameter, outside quotes */
		bool quoted = false;
		const char *q;

		for (q = k; q < end; q++) {
			if (*q == '"')
				quoted = !quoted;
			else if (*q == '\\' && quoted && q + 1 < end)
				q++;
			else if (*q == ';' && !quoted)
				break;
		}
		semi = q < end ? q : NULL;
		eq = memchr(k, '=', (size_t)(q - k));
		if (eq == NULL)
			continue;
		{
			const char *ke = eq;

			while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			if ((size_t)(ke - k) >= sizeof(key))
				continue;
			copy_lower(key, sizeof(key), k, (size_t)(ke - k));
		}
		v = skip_ws(eq + 1, q);
		ve = q;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		if (strcmp(key, "q") == 0)
			e->q = parse_q(v, (size_t)(ve - v));
		else if (strcmp(key, "version") == 0 &&
		    (size_t)(ve - v) < sizeof(e->version))
			copy_lower(e->version, sizeof(e->version), v,
			    (size_t)(ve - v));
		else if (strcmp(key, "version") == 0)
			strcpy(e->version, "?");
	}
}

/* Call fn for each element of a list header. */
static void
each_elem(const char *h, void (*fn)(const struct elem *, void *), void *arg)
{
	const char *p = h, *end = h + strlen(h);

	while (p < end) {
		const char *q;
		bool quoted = false;
		struct elem e;

		for (q = p; q < end; q++) {
			if (*q == '"')
				quoted = !quoted;
			else if (*q == '\\' && quoted && q + 1 < end)
				q++;
			else if (*q == ',' && !quoted)
				break;
		}
		parse_elem(p, q, &e);
		if (e.type[0] != '\0')
			fn(&e, arg);
		p = q < end ? q + 1 : end;
	}
}

struct fmt_pick {
	int	om_q, om1_q, om0_q, text_q;
};

static void
fmt_elem(const struct elem *e, void *arg)
{
	struct fmt_pick *f = arg;

	if (e->q <= 0)
		return;
	if (strcmp(e->type, "application/openmetrics-text") == 0) {
		if (e->version[0] == '\0' || strcmp(e->version, "1.0.0") == 0) {
			if (e->q > f->om1_q)
				f->om1_q = e->q;
		} else if (strcmp(e->version, "0.0.1") == 0) {
			if (e->q > f->om0_q)
				f->om0_q = e->q;
		}
	} else if (strcmp(e->type, "text/plain") == 0) {
		if ((e->version[0] == '\0' || strcmp(e->version, "0.0.4") == 0) &&
		    e->q > f->text_q)
			f->text_q = e->q;
	} else if (strcmp(e->type, "text/*") == 0 || strcmp(e->type, "*/*") == 0 ||
	    strcmp(e->type, "*") == 0) {
		if (e->q > f->text_q)
			f->text_q = e->q;
	}
}

enum mfmt
negotiate_format(const char *accept, const char **om_version)
{
	struct fmt_pick f = { 0, 0, 0, 0 };

	*om_version = "1.0.0";
	if (accept == NULL || *accept == '\0')
		return MFMT_TEXT;
	each_elem(accept, fmt_elem, &f);
	f.om_q = f.om1_q >= f.om0_q ? f.om1_q : f.om0_q;
	if (f.om1_q < f.om0_q)
		*om_version = "0.0.1";
	/* a named OpenMetrics wins ties with text */
	if (f.om_q > 0 && f.om_q >= f.text_q)
		return MFMT_OPENMETRICS;
	return MFMT_TEXT;
}

struct enc_pick {
	int	gzip_q, star_q;		/* -1: not named */
};

static void
enc_elem(const struct elem *e, void *arg)
{
	struct enc_pick *p = arg;

	if (e->q < 0)
		return;
	if (strcmp(e->type, "gzip") == 0 || strcmp(e->type, "x-gzip") == 0)
		p->gzip_q = e->q > p->gzip_q ? e->q : p->gzip_q;
	else if (strcmp(e->type, "*") == 0)
		p->star_q = e->q > p->star_q ? e->q : p->star_q;
}

bool
negotiate_gzip(const char *ae)
{
	struct enc_pick p = { -1, -1 };

	if (ae == NULL)
		return false;
	each_elem(ae, enc_elem, &p);
	if (p.gzip_q >= 0)
		return p.gzip_q > 0;
	return p.star_q > 0;
}

/* ---- query strings --------------------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode [p, end) into dst (size bytes); -1 bad escape or character, -2
 * too long. */
static int
pct_decode(const char *p, const char *end, char *dst, size_t size)
{
	size_t n = 0;

	while (p < end) {
		int c = (unsigned char)*p++;

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (end - p < 2 || (hi = hexval(p[0])) < 0 ||
			    (lo = hexval(p[1])) < 0)
				return -1;
			c = hi * 16 + lo;
			p += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (n + 1 >= size)
			return -2;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return 0;
}

static void
allowed_list(const char *const *allowed, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; allowed != NULL && allowed[i] != NULL; i++) {
		int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
		    allowed[i]);

		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "none");
}

int
query_parse(const char *qs, const char *const *allowed, struct query *q,
    struct aerr *err)
{
	const char *p = qs, *end;

	memset(q, 0, sizeof(*q));
	if (qs == NULL)
		return 0;
	end = qs + strlen(qs);
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *se = amp ? amp : end, *eq;
		char key[32], val[QUERY_MAX_VALUE];
		int r;
		bool ok = false;

		if (se == p) {		/* "a=1&&b=2", a trailing '&' */
			p = se + 1;
			continue;
		}
		eq = memchr(p, '=', (size_t)(se - p));
		r = pct_decode(p, eq ? eq : se, key, sizeof(key));
		if (r == -2)
			return aerr_set(err, EINVAL, "query parameter name too "
			    "long (at most %zu characters)", sizeof(key) - 1);
		if (r < 0 || key[0] == '\0')
			return aerr_set(err, EINVAL, "malformed query string "
			    "(expected name=value&...; %%XX escapes)");
		r = eq ? pct_decode(eq + 1, se, val, sizeof(val)) :
		    (val[0] = '\0', 0);
		if (r == -2)
			return aerr_set(err, EINVAL, "value of '%s' too long "
			    "(at most %zu characters)", key, sizeof(val) - 1);
		if (r < 0)
			return aerr_set(err, EINVAL, "malformed value of '%s' "
			    "(control character or bad %%XX escape)", key);
		for (size_t i = 0; allowed != NULL && allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				ok = true;
		if (!ok) {
			char list[256];

			allowed_list(allowed, list, sizeof(list));
			return aerr_set(err, EINVAL, "unknown query parameter "
			    "'%.31s' (accepted: %s)", key, list);
		}
		if (query_get(q, key) != NULL)
			return aerr_set(err, EINVAL, "query parameter '%s' given "
			    "twice", key);
		if (q->n == QUERY_MAX_PARAMS)
			return aerr_set(err, EINVAL, "too many query parameters "
			    "(at most %d)", QUERY_MAX_PARAMS);
		memcpy(q->p[q->n].key, key, sizeof(key));
		memcpy(q->p[q->n].val, val, sizeof(val));
		q->n++;
		p = amp ? amp + 1 : end;
	}
	return 0;
}

const char *
query_get(const struct query *q, const char *key)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->p[i].key, key) == 0)
			return q->p[i].val;
	return NULL;
}
