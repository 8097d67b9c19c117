/* SPDX-License-Identifier: ISC */
/* A line of state_dir/bcids: see bcidline.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "bcidline.h"
#include "ubc.h"

/* A word of line from *p: its length, *p past it and the blanks after. */
static size_t
word(const char **p, const char **start)
{
	const char *s = *p;
	size_t n;

	*start = s;
	for (n = 0; s[n] != '\0' && !isspace((unsigned char)s[n]); n++)
		;
	for (s += n; *s == ' ' || *s == '\t'; s++)
		;
	*p = s;
	return n;
}

int
bcid_line_parse(const char *line, char name[BCID_NAME_MAX], uint32_t *id)
{
	const char *p = line, *nm, *val;
	size_t nn, nv;
	uint64_t v = 0;

	if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
		return BCL_SKIP;
	nn = word(&p, &nm);
	nv = word(&p, &val);
	/* two words, then the end of the line */
	if (nn == 0 || nn >= BCID_NAME_MAX || nv == 0 ||
	    (*p != '\0' && strcmp(p, "\n") != 0))
		return -EINVAL;
	if (nv == 1 && val[0] == '-') {
		if (nn == 4 && memcmp(nm, "next", 4) == 0)
			return -EINVAL;
		memcpy(name, nm, nn);
		name[nn] = '\0';
		return BCL_FORGET;
	}
	/* ten digits: an id cut short by a crash is below BCID_BASE */
	for (size_t i = 0; i < nv; i++) {
		if (!isdigit((unsigned char)val[i]) || nv > 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(val[i] - '0');
	}
	if (v < BCID_BASE || v > (uint64_t)BCID_LAST + 1)
		return -EINVAL;
	memcpy(name, nm, nn);
	name[nn] = '\0';
	*id = (uint32_t)v;
	return nn == 4 && memcmp(nm, "next", 4) == 0 ? BCL_NEXT : BCL_ID;
}
