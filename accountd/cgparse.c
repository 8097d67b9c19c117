/* SPDX-License-Identifier: ISC */
/* Parsing cgroup file text (cgparse.h). */
#include "config.h"

#include "cgparse.h"

#include <string.h>

#include "params.h"

/* Hand-written rather than strtoull: it is the sampler's innermost loop. */
uint64_t
cg_parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == 'm' || *s == '-')
		return VAL_UNLIMITED;		/* v2 "max", v1 "-1" */
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return VAL_UNLIMITED;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	/* v1 shows unlimited as LONG_MAX rounded down to a page */
	return v >= (1ULL << 62) ? VAL_UNLIMITED : v;
}

bool
cg_key_u64(const char *buf, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	const char *p = buf;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			*v = cg_parse_u64(p + kl + 1);
			return true;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return false;
}
