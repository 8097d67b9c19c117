/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: config_parse() of accountd.conf (accountd/conf.c).
 *
 * Properties: a refusal names the file and line; an accepted file keeps
 * rescan_interval within 0..86400, and what `accountd -n` prints of it
 * (config_print) parses back to the same configuration.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "fuzz.h"

const char fuzz_target[] = "conf";

static int
streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acct_config c, d;
	struct aerr err = { 0 };
	char *text, *printed = NULL;
	size_t plen = 0;
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
	FUZZ_CHECK(c.rescan_interval <= 86400, "rescan_interval %u",
	    c.rescan_interval);
	config_finish(&c);
	if ((f = open_memstream(&printed, &plen)) == NULL)
		abort();
	config_print(&c, f);
	fclose(f);
	config_defaults(&d);
	FUZZ_CHECK(config_parse("printed", printed, &d, &err) == 0,
	    "printed configuration does not parse: %s", err.msg);
	FUZZ_CHECK(streq(c.cgroup_root, d.cgroup_root) &&
	    streq(c.cgroup_parent, d.cgroup_parent) &&
	    streq(c.ct_conf_dir, d.ct_conf_dir) &&
	    streq(c.sample_dir, d.sample_dir) &&
	    streq(c.state_dir, d.state_dir) && streq(c.run_dir, d.run_dir) &&
	    streq(c.socket, d.socket) && streq(c.ro_socket, d.ro_socket) &&
	    streq(c.socket_group, d.socket_group) &&
	    streq(c.pid_file, d.pid_file) && streq(c.log, d.log) &&
	    streq(c.log_level, d.log_level) &&
	    c.rescan_interval == d.rescan_interval &&
	    c.ndiscover == d.ndiscover, "printed configuration reads back "
	    "different");
	for (size_t i = 0; i < c.ndiscover; i++)
		FUZZ_CHECK(streq(c.discover[i], d.discover[i]), "discover %zu: "
		    "[%s] reads back [%s]", i, c.discover[i], d.discover[i]);
	free(printed);
	config_free(&c);
	config_free(&d);
	free(text);
	return 0;
}
