/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: bcid_line_parse(), a line of state_dir/bcids as accountd
 * reads it at start (accountd/bcidline.c).  The file is the daemon's own,
 * but its appended lines are not synced: an OS crash can cut one short or
 * leave NUL bytes in their place.
 *
 * Properties: the kind is one of the four or -EINVAL; a name given out is
 * the line's first word, not empty, shorter than BCID_NAME_MAX, without
 * blanks; an id is within BCID_BASE to BCID_LAST + 1 and prints back to
 * the line's second word, the last (no id read from a cut or padded
 * number, nor from a line with more words); "next"
 * is never a name with an id or forgotten.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bcidline.h"
#include "fuzz.h"
#include "ubc.h"

const char fuzz_target[] = "bcids";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[BCID_NAME_MAX], back[160], *line;
	uint32_t id = 0;
	int rc;

	if (size > 4096)
		return 0;
	line = fuzz_strndup(data, size);
	memset(name, 0, sizeof(name));
	rc = bcid_line_parse(line, name, &id);
	FUZZ_CHECK(rc == -EINVAL || rc == BCL_SKIP || rc == BCL_ID ||
	    rc == BCL_FORGET || rc == BCL_NEXT, "rc %d", rc);
	if (rc == BCL_ID || rc == BCL_FORGET || rc == BCL_NEXT) {
		size_t n = strlen(name);

		FUZZ_CHECK(n > 0 && n < BCID_NAME_MAX, "name of %zu bytes", n);
		FUZZ_CHECK(strncmp(line, name, n) == 0 &&
		    (line[n] == ' ' || line[n] == '\t'),
		    "name '%s' is not the first word", name);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(!isspace((unsigned char)name[i]),
			    "a blank in name '%s'", name);
		FUZZ_CHECK((strcmp(name, "next") == 0) == (rc == BCL_NEXT),
		    "'%s' read as kind %d", name, rc);
	}
	if (rc == BCL_ID || rc == BCL_NEXT) {
		const char *w = line + strlen(name);

		FUZZ_CHECK(id >= BCID_BASE && id <= BCID_LAST + 1u, "id %u",
		    (unsigned)id);
		while (*w == ' ' || *w == '\t')
			w++;
		snprintf(back, sizeof(back), "%u", (unsigned)id);
		FUZZ_CHECK(strncmp(w, back, strlen(back)) == 0,
		    "id %u is not the second word of '%s'", (unsigned)id, line);
		/* then blanks, and the end of the line */
		for (w += strlen(back); *w == ' ' || *w == '\t'; w++)
			;
		FUZZ_CHECK(*w == '\0' || strcmp(w, "\n") == 0,
		    "id %u read from '%s', which goes on", (unsigned)id, line);
	}
	free(line);
	return 0;
}
