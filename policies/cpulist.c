/* SPDX-License-Identifier: ISC */
/* CPU/node list parsing and formatting: see cpulist.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpulist.h"

static int
read_num(const char **sp, unsigned *out)
{
	const char *s = *sp;
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= CPULIST_BITS)
			return -ERANGE;
		s++;
	}
	*out = (unsigned)v;
	*sp = s;
	return 0;
}

/* Accepts "", "3", "0-3", "0-3,7,9-10", with one final newline; rejects
 * reversed ranges and anything after a newline. */
int
cpulist_parse(const char *s, struct cpubits *out)
{
	unsigned a, b, i;
	int r;

	memset(out, 0, sizeof(*out));
	while (*s == ' ')
		s++;
	if (*s == '\0' || (*s == '\n' && s[1] == '\0'))
		return 0;
	for (;;) {
		if ((r = read_num(&s, &a)) < 0)
			return r;
		b = a;
		if (*s == '-') {
			s++;
			if ((r = read_num(&s, &b)) < 0)
				return r;
			if (b < a)
				return -EINVAL;
		}
		for (i = a; i <= b; i++)
			out->w[i / 64] |= 1ULL << (i % 64);
		if (*s == ',') {
			s++;
			continue;
		}
		/* the end, or the newline that ends a cgroupfs file */
		if (*s == '\0' || (*s == '\n' && s[1] == '\0'))
			return 0;
		return -EINVAL;
	}
}

int
cpulist_format(const struct cpubits *b, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i = 0;

	buf[0] = '\0';
	while (i < CPULIST_BITS) {
		unsigned j;
		int n;

		if (!(b->w[i / 64] & (1ULL << (i % 64)))) {
			i++;
			continue;
		}
		j = i;
		while (j + 1 < CPULIST_BITS &&
		    (b->w[(j + 1) / 64] & (1ULL << ((j + 1) % 64))))
			j++;
		if (j == i)
			n = snprintf(buf + used, len - used, "%s%u",
			    used ? "," : "", i);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u",
			    used ? "," : "", i, j);
		if (n < 0 || (size_t)n >= len - used) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		used += (size_t)n;
		i = j + 1;
	}
	return 0;
}

void
cpubits_and(struct cpubits *dst, const struct cpubits *src)
{
	size_t i;

	for (i = 0; i < CPULIST_BITS / 64; i++)
		dst->w[i] &= src->w[i];
}

bool
cpubits_empty(const struct cpubits *b)
{
	size_t i;

	for (i = 0; i < CPULIST_BITS / 64; i++)
		if (b->w[i])
			return false;
	return true;
}

unsigned
cpubits_count(const struct cpubits *b)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < CPULIST_BITS / 64; i++)
		n += (unsigned)__builtin_popcountll(b->w[i]);
	return n;
}
