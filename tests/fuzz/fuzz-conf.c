/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: config_parse() of accountd.conf (accountd/conf.c).
 *
 * Properties: a refusal names the file and line; an accepted file keeps
 * the intervals within 0..86400000, and what `accountd -n` prints of it
 * (config_print) parses back to the same configuration (printed again,
 * the same text).
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "fuzz.h"

const char fuzz_target[] = "conf";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acct_config c, d;
	struct aerr err = { 0 };
	char *text, *printed = NULL, *again = NULL;
	size_t plen = 0, alen = 0;
	FILE *f;

	if (size > 65536)
		return 0;
	text = fuzz_strndup(data, size);
	config_defaults(&c);
	if (config_parse("fuzz.conf", text, &c, &err) < 0) {
		FUZZ_CHECK(strncmp(err.msg, "fuzz.conf:", 10) == 0,
		    "error without file:line: %s", err.msg);
		config_free(&c);
		free(text);
		return 0;
	}
	config_finish(&c);
	if ((f = open_memstream(&printed, &plen)) == NULL)
		abort();
	config_print(&c, f);
	fclose(f);
	config_defaults(&d);
	FUZZ_CHECK(config_parse("printed", printed, &d, &err) == 0,
	    "printed configuration does not parse: %s", err.msg);
	if ((f = open_memstream(&again, &alen)) == NULL)
		abort();
	config_print(&d, f);
	fclose(f);
	FUZZ_CHECK(strcmp(printed, again) == 0, "printed configuration reads "
	    "back different:\n%s\n---\n%s", printed, again);
	FUZZ_CHECK(c.rescan_interval <= 86400000 && c.ndiscover == d.ndiscover,
	    "rescan_interval %u", c.rescan_interval);
	free(again);
	free(printed);
	config_free(&c);
	config_free(&d);
	free(text);
	return 0;
}
