/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: the exporter's HTTP parsers (exporters/negotiate.c).  The
 * first byte picks the parser, the rest is the header or query string:
 *   0 Accept, 1 Accept-Encoding, 2 a /graph query, 3 a / query,
 *   4 a /metrics query (no keys allowed).
 *
 * Properties: an accepted query has at most QUERY_MAX_PARAMS keys, only
 * allowed ones, each once, values shorter than QUERY_MAX_VALUE and free
 * of control characters; with no keys allowed, nothing is accepted but
 * the empty query.
 */
#include "config.h"

#include <string.h>

#include "expo.h"
#include "fuzz.h"

const char fuzz_target[] = "http";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const graph[] = { "ct", "resource", "period", NULL };
	static const char *const dash[] = { "ct", "sort", "period", NULL };
	static const char *const none[] = { NULL };
	struct query q;
	struct aerr err = { 0 };
	const char *v;
	char *s;

	if (size == 0 || size > 65536)
		return 0;
	s = fuzz_strndup(data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		(void)negotiate_format(s, &v);
		FUZZ_CHECK(strcmp(v, "1.0.0") == 0 || strcmp(v, "0.0.1") == 0,
		    "version %s", v);
		break;
	case 1:
		(void)negotiate_gzip(s);
		break;
	case 2:
	case 3:
		if (query_parse(s, data[0] % 5 == 2 ? graph : dash, &q, &err) ==
		    0) {
			FUZZ_CHECK(q.n <= QUERY_MAX_PARAMS, "%zu keys", q.n);
			for (size_t i = 0; i < q.n; i++) {
				FUZZ_CHECK(strlen(q.p[i].val) < QUERY_MAX_VALUE,
				    "value of %s", q.p[i].key);
				for (const char *c = q.p[i].val; *c; c++)
					FUZZ_CHECK((unsigned char)*c >= 0x20 &&
					    *c != 0x7f, "control character");
				for (size_t j = 0; j < i; j++)
					FUZZ_CHECK(strcmp(q.p[i].key, q.p[j].key),
					    "%s twice", q.p[i].key);
			}
		} else {
			FUZZ_CHECK(err.msg[0] != '\0', "refused without a "
			    "message");
		}
		break;
	default:
		if (query_parse(s, none, &q, &err) == 0)
			FUZZ_CHECK(q.n == 0, "a key accepted where none is");
	}
	free(s);
	return 0;
}
