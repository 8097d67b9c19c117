/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: what acctctl oversell --prometheus parses
 * (cli/promquery.c): the URL it is given, and the HTTP answer of the
 * server.  Input: the URL, a newline, then the answer.
 *
 * Properties: a refusal has a message and an error number; an accepted
 * answer gives a JSON array, and only when it said HTTP and "success".
 */
#include "config.h"

#include <string.h>

#include "acctctl.h"
#include "fuzz.h"

const char fuzz_target[] = "promquery";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *res = NULL;
	struct aerr err = { 0 };
	char *text, *nl;

	if (size > 1 << 20)
		return 0;
	text = fuzz_strndup(data, size);
	if ((nl = memchr(text, '\n', size)) == NULL) {
		free(text);
		return 0;
	}
	*nl = '\0';
	if (prom_url_check(text, &err) < 0)
		FUZZ_CHECK(err.errnum != 0 && err.msg[0] != '\0',
		    "URL refused without a message");
	else
		FUZZ_CHECK(strncmp(text, "http://", 7) == 0,
		    "accepted a URL that is not http://: %s", text);
	memset(&err, 0, sizeof(err));
	if (prom_answer(nl + 1, size - (size_t)(nl + 1 - text), "q", &res,
	    &err) < 0) {
		FUZZ_CHECK(err.errnum != 0 && err.msg[0] != '\0',
		    "answer refused without a message");
		FUZZ_CHECK(res == NULL, "a result with a refusal");
	} else {
		FUZZ_CHECK(res != NULL && json_object_is_type(res,
		    json_type_array), "accepted without a result array");
		FUZZ_CHECK(strncmp(nl + 1, "HTTP/1.", 7) == 0 &&
		    strstr(nl + 1, "success") != NULL,
		    "accepted an answer that is not a success");
		json_object_put(res);
	}
	free(text);
	return 0;
}
