/* SPDX-License-Identifier: ISC */
/* One line of /proc/PID/cgroup: see pidcgroup.h. */
#include "config.h"

#include <string.h>

#include "pidcgroup.h"

const char *
pidcg_line(char *line, bool v2, const char *want)
{
	char *c1 = strchr(line, ':'), *c2, *tok, *save = NULL;

	if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
		return NULL;
	*c2++ = '\0';
	c2[strcspn(c2, "\n")] = '\0';
	if (v2)
		return c1[1] == '\0' && strncmp(line, "0:", 2) == 0 ? c2 : NULL;
	for (tok = strtok_r(c1 + 1, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, want) == 0)
			return c2;
	return NULL;
}
