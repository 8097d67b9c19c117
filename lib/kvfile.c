/* SPDX-License-Identifier: ISC */
/* The key = value line reader (kvfile.h). */
#include "config.h"

#include "kvfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int
kvfile_parse(const char *name, const char *text, size_t line_max,
    unsigned flags, kvfile_fn fn, void *ctx, struct aerr *err)
{
	_cleanup_free_ char *line = xmalloc(line_max);
	const char *p = text;
	unsigned lineno = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *k, *v, *eq, *e;
		int r;

		lineno++;
		if (n >= line_max)
			return aerr_set(err, EINVAL, "%s:%u: line too long "
			    "(accepted: up to %zu characters)", name, lineno,
			    line_max - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : p + n;
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		for (k = line; isspace((unsigned char)*k); k++)
			;
		if (*k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL)
			return aerr_set(err, EINVAL, "%s:%u: expected 'key = "
			    "value'", name, lineno);
		for (e = eq; e > k && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]);
		    e--)
			e[-1] = '\0';
		if ((flags & KV_UNQUOTE) && strlen(v) >= 2 && v[0] == '"' &&
		    v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		if ((r = fn(ctx, k, v, err)) < 0)
			return aerr_prefix(err, "%s:%u: ", name, lineno);
	}
	return 0;
}
