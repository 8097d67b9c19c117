/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: what accountd reads from the quota's helpers
 * (accountd/quotaline.c): ql_feed() cutting their output into lines, and
 * each line as the count child's (ql_count_line) and as the listener's
 * (ql_listener_line).  The helpers walk the containers' trees, whose
 * names are anyone's choice.  The first byte of the input is the size of
 * the reads the output arrives in (1 to 256 bytes).
 *
 * Properties: the lines given out are, in order, exactly the input's
 * newline-ended lines shorter than QL_LINE_MAX and free of NUL bytes (no
 * tail of a long line read as a line of its own), whatever the size of
 * the reads; an accepted line prints back to itself from what was read
 * ("P 007" and "D 1 2 3x" are not accepted); a listener's count is at
 * least 1 and its root an absolute path.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "quotaline.h"

const char fuzz_target[] = "quotaline";

struct got {
	char	**lines;
	size_t	  n;
};

static void
keep(void *arg, const char *l)
{
	struct got *g = arg;

	FUZZ_CHECK(strlen(l) < QL_LINE_MAX, "a line of %zu bytes", strlen(l));
	FUZZ_CHECK(strchr(l, '\n') == NULL, "a newline inside a line");
	g->lines = realloc(g->lines, (g->n + 1) * sizeof(*g->lines));
	if (g->lines == NULL || (g->lines[g->n] = strdup(l)) == NULL)
		abort();
	g->n++;
}

static void
read_line(const char *l)
{
	struct ql_line q;
	char back[QL_LINE_MAX + 80];
	const char *root;
	uint64_t n;

	switch (ql_count_line(l, &q)) {
	case QL_WATCH:
	case QL_ERROR:
		FUZZ_CHECK(q.text == l + 2, "the text is not after \"%c \"", l[0]);
		FUZZ_CHECK(q.kind != QL_WATCH || q.text[0] == '/',
		    "a watch on a relative path");
		break;
	case QL_TAGGED:
	case QL_PROGRESS:
		snprintf(back, sizeof(back), "%c %" PRIu64, l[0], q.v[0]);
		FUZZ_CHECK(strcmp(back, l) == 0, "\"%s\" read as \"%s\"", l, back);
		break;
	case QL_DONE:
		snprintf(back, sizeof(back), "D %" PRIu64 " %" PRIu64 " %" PRIu64,
		    q.v[0], q.v[1], q.v[2]);
		FUZZ_CHECK(strcmp(back, l) == 0, "\"%s\" read as \"%s\"", l, back);
		break;
	case QL_UNKNOWN:
		FUZZ_CHECK(q.v[0] == 0 && q.v[1] == 0 && q.v[2] == 0 &&
		    q.text == NULL, "an unknown line with figures");
		break;
	}
	if (ql_listener_line(l, &n, &root) == 0) {
		FUZZ_CHECK(n >= 1 && root[0] == '/', "D %" PRIu64 " %s", n, root);
		snprintf(back, sizeof(back), "D %" PRIu64 " %s", n, root);
		FUZZ_CHECK(strcmp(back, l) == 0, "\"%s\" read as \"%s\"", l, back);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ql_buf b;		/* large: not on the stack */
	struct got g = { NULL, 0 };
	const char *text = (const char *)data + 1;
	size_t step, n, k = 0;

	if (size < 1 || size > 65536)
		return 0;
	step = (size_t)data[0] + 1;
	n = size - 1;
	memset(&b, 0, sizeof(b));
	for (size_t off = 0; off < n; off += step)
		ql_feed(&b, text + off, n - off < step ? n - off : step, keep, &g);
	/* what a plain split of the whole text gives */
	for (size_t s = 0, i = 0; i < n; i++) {
		size_t len;

		if (text[i] != '\n')
			continue;
		len = i - s;
		if (len < QL_LINE_MAX && memchr(text + s, '\0', len) == NULL) {
			FUZZ_CHECK(k < g.n, "line %zu not given out", k + 1);
			FUZZ_CHECK(strlen(g.lines[k]) == len &&
			    memcmp(g.lines[k], text + s, len) == 0,
			    "line %zu given out changed", k + 1);
			k++;
		}
		s = i + 1;
	}
	FUZZ_CHECK(k == g.n, "%zu lines given out, %zu in the text", g.n, k);
	for (size_t i = 0; i < g.n; i++) {
		read_line(g.lines[i]);
		free(g.lines[i]);
	}
	free(g.lines);
	return 0;
}
