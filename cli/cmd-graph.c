/* SPDX-License-Identifier: ISC */
/*
 * acctctl graph: runs acctctl-graph (acctctl-graph.c), the part of
 * acctctl that needs librrd, so that the other commands do not load it.
 * helper_exec() runs it (and acctctl-bill, cmd-bill.c).  The daemon's
 * rrd_dir and rrdcached reach it as ACCTCTL_RRD_DIR and ACCTCTL_RRDCACHED.
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
#include "expo.h"
#include "xalloc.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/libexec"
#endif

/*
 * Without --rrd-dir, the archives are where the running accountd's
 * exporter writes them: its rrd_dir (and rrdcached), from the hello
 * reply, passed on in the environment.  No snapshot: accountd is not
 * running, and acctctl-graph uses the default folder.
 */
static void
daemon_rrd(const struct cmd_args *a)
{
	_cleanup_free_ char *sp = sv_cli_path(opt_socket);
	struct json_object *req, *reply;

	if (args_has(a, "--rrd-dir"))
		return;
	if (access(sp, R_OK) != 0)
		return;
	req = client_req("hello", NULL);
	if (client_call(req, &reply) == EX_OK) {
		if (*jstr(reply, "rrd_dir"))
			setenv("ACCTCTL_RRD_DIR", jstr(reply, "rrd_dir"), 1);
		if (*jstr(reply, "rrdcached"))
			setenv("ACCTCTL_RRDCACHED", jstr(reply, "rrdcached"), 1);
		json_object_put(reply);
	}
	json_object_put(req);
}

/*
 * A helper program is looked for next to acctctl first (the build tree),
 * then in LIBEXECDIR/accountd; -s reaches it as ACCTCTL_SOCKET.
 */
int
helper_exec(const char *name, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	path[0] = '\0';
	if (n > 0) {
		self[n] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dirname(self), name);
	}
	if (path[0] == '\0' || access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s/accountd/%s", LIBEXECDIR, name);
	if (opt_socket != NULL)
		setenv("ACCTCTL_SOCKET", opt_socket, 1);
	fflush(stdout);
	execv(path, argv);
	fprintf(stderr, "acctctl: cannot run %s: %s\n", path, strerror(errno));
	return EX_FAIL;
}

static int
cmd_graph_run(struct cmd_args *a)
{
	daemon_rrd(a);
	return helper_exec("acctctl-graph", a->argv);
}

const struct cmd_entry cmd_graph_entry = {
	"graph", GRAPH_ARGS, GRAPH_SUMMARY, cmd_graph_run, 0, graph_opts, 1
};
