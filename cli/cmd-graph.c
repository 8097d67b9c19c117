/* SPDX-License-Identifier: ISC */
/*
 * acctctl graph: runs acctctl-graph (acctctl-graph.c), the one part of
 * acctctl that needs librrd, so that the other commands do not load it.
 * It is looked for next to acctctl first (the build tree), then in
 * LIBEXECDIR/accountd.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acctctl.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/libexec"
#endif

static int
cmd_graph_run(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argc;
	path[0] = '\0';
	if (n > 0) {
		self[n] = '\0';
		snprintf(path, sizeof(path), "%s/acctctl-graph", dirname(self));
	}
	if (path[0] == '\0' || access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s/accountd/acctctl-graph",
		    LIBEXECDIR);
	if (opt_socket != NULL)
		setenv("ACCTCTL_SOCKET", opt_socket, 1);
	fflush(stdout);
	execv(path, argv);
	fprintf(stderr, "acctctl graph: cannot run %s: %s\n", path,
	    strerror(errno));
	return EX_FAIL;
}

const struct cmd_entry cmd_graph_entry = {
	"graph", GRAPH_ARGS,
	"a PNG of use against barrier and limit from the RRD archive",
	cmd_graph_run, CMD_READONLY
};
