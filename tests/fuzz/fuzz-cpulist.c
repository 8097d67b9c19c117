/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: cpulist_parse() and cpulist_format().
 *
 * Properties: an accepted list names only CPUs 0..4095; formatting it and
 * parsing the result gives the same set; formatting into a buffer too
 * small fails with -ENOSPC and an empty buffer, never a shorter list.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cpulist.h"
#include "fuzz.h"
#include "params.h"

const char fuzz_target[] = "cpulist";

static char big[32768];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpubits a, b;
	char small[LIST_MAX], *s;
	int r;

	if (size > 65536)
		return 0;
	s = fuzz_strndup(data, size);
	r = cpulist_parse(s, &a);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE, "[%s] gave %d", s, r);
	if (r < 0) {
		free(s);
		return 0;
	}
	/* every set fits the big buffer: 2048 ranges of "dddd-dddd," */
	r = cpulist_format(&a, big, sizeof(big));
	FUZZ_CHECK(r == 0, "[%s] does not format into %zu bytes", s,
	    sizeof(big));
	r = cpulist_parse(big, &b);
	FUZZ_CHECK(r == 0 && memcmp(&a, &b, sizeof(a)) == 0,
	    "[%s] formats as [%s], which reads back different (%d)", s, big, r);
	r = cpulist_format(&a, small, sizeof(small));
	if (r == 0)
		FUZZ_CHECK(strcmp(small, big) == 0, "[%s]: [%s] in %zu bytes, "
		    "[%s] in %zu", s, small, sizeof(small), big, sizeof(big));
	else
		FUZZ_CHECK(r == -ENOSPC && small[0] == '\0' &&
		    strlen(big) >= sizeof(small), "[%s]: short buffer gave %d "
		    "[%s]", s, r, small);
	FUZZ_CHECK(cpubits_count(&a) <= CPULIST_BITS && (cpubits_count(&a) ==
	    0) == cpubits_empty(&a), "[%s]: count and empty disagree", s);
	free(s);
	return 0;
}
