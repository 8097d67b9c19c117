/* SPDX-License-Identifier: ISC */
/*
 * The quota helpers' lines (quotaline.h): cut into lines, then read.
 * Strict where sscanf was lenient ("P -1" was 2^64 - 1, "D 1 2 3x" a
 * count): a helper writes exactly these forms (printf's %llu), anything
 * else is ignored.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "quotaline.h"

void
ql_feed(struct ql_buf *b, const char *data, size_t n,
    void (*fn)(void *, const char *), void *ctx)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - data) : n;

		if (b->skip || b->len + take >= sizeof(b->buf)) {
			b->skip = 1;		/* too long: to its end */
			b->len = 0;
		} else {
			memcpy(b->buf + b->len, data, take);
			b->len += take;
		}
		if (nl == NULL)
			return;
		if (!b->skip && memchr(b->buf, '\0', b->len) == NULL) {
			b->buf[b->len] = '\0';
			fn(ctx, b->buf);
		}
		b->len = 0;
		b->skip = 0;
		data = nl + 1;
		n -= take + 1;
	}
}

/* Decimal digits at *p (no sign, no leading space or zero), below 2^64;
 * moves *p past them.  Returns 0 or -EINVAL. */
static int
num(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	*p = s;
	return 0;
}

/* "C n[ n[ n]]" with exactly k numbers and nothing after them. */
static int
nums(const char *l, uint64_t *v, int k)
{
	const char *p = l + 1;

	for (int i = 0; i < k; i++)
		if (*p++ != ' ' || num(&p, &v[i]) < 0)
			return -EINVAL;
	return *p == '\0' ? 0 : -EINVAL;
}

enum ql_kind
ql_count_line(const char *l, struct ql_line *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = QL_UNKNOWN;
	if (l[0] == '\0')
		return out->kind;
	if (l[0] == 'W' && l[1] == ' ' && l[2] == '/') {
		out->kind = QL_WATCH;
		out->text = l + 2;
	} else if (l[0] == 'E' && l[1] == ' ') {
		out->kind = QL_ERROR;
		out->text = l + 2;
	} else if (l[0] == 'T' && nums(l, out->v, 1) == 0) {
		out->kind = QL_TAGGED;
	} else if (l[0] == 'P' && nums(l, out->v, 1) == 0) {
		out->kind = QL_PROGRESS;
	} else if (l[0] == 'D' && nums(l, out->v, 3) == 0) {
		out->kind = QL_DONE;
	} else {
		memset(out->v, 0, sizeof(out->v));
	}
	return out->kind;
}

int
ql_listener_line(const char *l, uint64_t *n, const char **root)
{
	const char *p = l + 1;

	if (l[0] != 'D' || *p++ != ' ' || num(&p, n) < 0 || *n == 0 ||
	    *p++ != ' ' || *p != '/')
		return -EINVAL;
	*root = p;
	return 0;
}
