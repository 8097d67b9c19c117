/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: the exporter's HTTP parsers (exporters/negotiate.c).  The
 * first byte picks the parser, the rest is the header or query string:
 *   0 Accept, 1 Accept-Encoding, 2 a /graph query, 3 a / query,
 *   4 a /metrics query (no keys allowed).
 */
#include "config.h"

#include <string.h>

#include "expo.h"
#include "fuzz.h"

const char *fuzz_target = "http";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const graph[] = { "ct", "resource", "period", NULL };
	static const char *const dash[] = { "ct", "sort", "period", NULL };
	static const char *const none[] = { NULL };
	struct query q;
	struct aerr err = { 0 };
	char *s;
	const char *v;

	if (size == 0 || size > 65536)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		(void)negotiate_format(s, &v);
		break;
	case 1:
		(void)negotiate_gzip(s);
		break;
	case 2:
		if (query_parse(s, graph, &q, &err) == 0)
			for (size_t i = 0; i < q.n; i++)
				if (strlen(q.p[i].val) >= QUERY_MAX_VALUE)
					abort();
		break;
	case 3:
		(void)query_parse(s, dash, &q, &err);
		break;
	default:
		if (query_parse(s, none, &q, &err) == 0 && q.n != 0)
			abort();
	}
	free(s);
	return 0;
}
