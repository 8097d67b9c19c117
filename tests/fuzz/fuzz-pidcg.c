/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: pidcg_line(), how accountd reads /proc/PID/cgroup
 * (cg_pid_cgroup in accountd/cgroup.c) to find which cgroup a process is
 * in before `attach` or a hook's claim.  The kernel writes the file, but
 * a cgroup's name is anyone's choice: a path may hold ':' and ','.
 *
 * Properties, for each line of the input, as v1 (controllers "memory",
 * "pids", "name=systemd") and as v2: a path given is inside the line,
 * holds no newline, and comes after the second ':' of the line; a v2
 * path comes only from a line starting "0::"; a v1 path only from a line
 * whose controller list names the controller asked for.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pidcgroup.h"

const char fuzz_target[] = "pidcg";

static void
one(const char *orig, size_t n, bool v2, const char *want)
{
	char *line = malloc(n + 1), *c1, *c2;
	const char *p;

	if (line == NULL)
		return;
	memcpy(line, orig, n);
	line[n] = '\0';
	p = pidcg_line(line, v2, want);
	if (p != NULL) {
		FUZZ_CHECK(p > line && p <= line + n, "path outside the line");
		FUZZ_CHECK(strchr(p, '\n') == NULL, "a newline in the path");
		c1 = memchr(orig, ':', n);
		c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - orig)) : NULL;
		FUZZ_CHECK(c2 != NULL && p == line + (c2 + 1 - orig),
		    "the path does not start after the second ':'");
		if (v2) {
			FUZZ_CHECK(n >= 3 && strncmp(orig, "0::", 3) == 0,
			    "a v2 path from a line not starting 0::");
		} else {
			char *list = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
			bool named = false;

			for (char *t = strtok(list, ","); t; t = strtok(NULL, ","))
				named |= strcmp(t, want) == 0;
			free(list);
			FUZZ_CHECK(named, "a v1 path for %s from a line not "
			    "naming it", want);
		}
	}
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	if (size > 65536)
		return 0;
	for (size_t b = 0, i = 0; i <= size; i++)
		if (i == size || data[i] == '\n') {
			size_t n = i - b + (i < size);	/* with its newline */

			if (memchr(text + b, '\0', n) == NULL) {
				one(text + b, n, true, "memory");
				one(text + b, n, false, "memory");
				one(text + b, n, false, "pids");
				one(text + b, n, false, "name=systemd");
			}
			b = i + 1;
		}
	return 0;
}
