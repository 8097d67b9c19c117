/* SPDX-License-Identifier: ISC */
/*
 * acctctl graph CT [--resource R] [--period P] -o FILE.png
 *               [--rrd-dir DIR] [--rrdcached ADDRESS] [--size WxH]
 * Draw a container's use of a resource against its barrier and limit,
 * with the moments its failcnt went up, from the RRD archive the
 * exporter keeps (exporters/rrd.c).  R: physpages (ram, the default),
 * swappages (swap), numproc, kmemsize, cpu, io.  P: 1h, 1d (default),
 * 1w, 1m, 1y.  -o - writes the PNG to standard output.
 *
 * The archive folder is the running accountd's rrd_dir (default
 * LOCALSTATEDIR/lib/accountd-rrd), or --rrd-dir; archives are readable
 * by everyone.
 * With rrdcached, the file is flushed through it first (--rrdcached, or
 * RRDCACHED_ADDRESS as rrdtool reads it).
 *
 * This file is the program acctctl-graph (LIBEXECDIR/accountd, or next
 * to acctctl in the build tree), which `acctctl graph` runs: librrd
 * draws with pango, cairo and X11 libraries whose loading cost every
 * acctctl run about 9 ms (acctctl set's budget is 2 ms).  -s reaches it as
 * ACCTCTL_SOCKET.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acctctl.h"
#include "expo.h"
#include "xalloc.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

const char *opt_socket;	/* acctctl's -s comes as ACCTCTL_SOCKET */

static int cmd_graph(struct cmd_args *);

/* as acctctl's (cmd-graph.c), with the same options (graph-opts.c) */
static const struct cmd_entry graph_entry = {
	"graph", GRAPH_ARGS, GRAPH_SUMMARY, cmd_graph, 0, graph_opts, 1
};

/* usage_error (args.c) finds the synopsis here */
const struct cmd_entry *
cmd_find(const char *name)
{
	return strcmp(name, graph_entry.name) == 0 ? &graph_entry : NULL;
}

static int
cmd_graph(struct cmd_args *a)
{
	const char *ct = a->npos ? a->pos[0] : NULL;
	const char *res = args_get(a, "-r"), *period = args_get(a, "-p");
	const char *out = args_get(a, "-o"), *dir = args_get(a, "--rrd-dir");
	const char *daemon = args_get(a, "--rrdcached");
	const char *size = args_get(a, "--size");
	struct graph_req g = { .width = 600, .height = 200 };
	struct aerr err = { 0 };
	unsigned char *png = NULL;
	size_t len = 0;
	int r;

	if (res == NULL)
		res = "physpages";
	if (period == NULL)
		period = "1d";
	if (dir == NULL)
		dir = getenv("ACCTCTL_RRD_DIR");
	if (daemon == NULL)
		daemon = getenv("RRDCACHED_ADDRESS");
	if (size != NULL) {
		unsigned w, h;
		char x;

		if (sscanf(size, "%u%c%u", &w, &x, &h) != 3 || x != 'x' ||
		    w < 100 || w > 4000 || h < 50 || h > 2000)
			return usage_error("graph", "bad --size '%s' (accepted: "
			    "WIDTHxHEIGHT, 100x50 to 4000x2000)", size);
		g.width = w;
		g.height = h;
	}
	if (dir == NULL || *dir == '\0')	/* no daemon told (cmd-graph-run.c) */
		dir = LOCALSTATEDIR "/lib/accountd-rrd";
	if (daemon == NULL || *daemon == '\0')
		daemon = getenv("ACCTCTL_RRDCACHED");
	if (ct == NULL)
		return usage_error("graph", "which container?");
	if (out == NULL)
		return usage_error("graph", "-o FILE.png is required");
	if (rrd_res_parse(res, &g.res, &err) < 0 ||
	    rrd_period_parse(period, &g.secs, &err) < 0) {
		fprintf(stderr, "acctctl graph: %s\n", err.msg);
		return EX_USAGE;
	}
	if (!sv_name_ok(ct)) {
		fprintf(stderr, "acctctl graph: bad container name '%s'\n", ct);
		return EX_USAGE;
	}
	g.dir = dir;
	g.ct = ct;
	g.daemon = daemon;
	{
		_cleanup_free_ char *path = rrd_path(dir, ct);

		if (access(path, R_OK) != 0) {
			_cleanup_free_ char *sp = sv_cli_path(opt_socket);
			struct sview v = { .n = 0 };
			bool known = sv_load_path(sp, &v, NULL) == 0 &&
			    sview_find(&v, ct) != NULL;

			sview_free(&v);
			if (!known) {
				fprintf(stderr, "acctctl graph: unknown container "
				    "'%s' (no RRD archive %s)\n", ct, path);
				return EX_NOCT;
			}
			fprintf(stderr, "acctctl graph: no RRD archive for %s "
			    "(%s: %s); the exporter writes them (exporter = "
			    "yes, rrd_dir)\n", ct, path, strerror(errno));
			return EX_FAIL;
		}
	}
	r = rrd_graph_draw(&g, strcmp(out, "-") == 0 ? NULL : out, &png, &len,
	    &err);
	if (r < 0) {
		fprintf(stderr, "acctctl graph: %s\n", err.msg);
		return EX_FAIL;
	}
	if (png != NULL) {
		if (fwrite(png, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "acctctl graph: writing the image: %s\n",
			    strerror(errno));
			free(png);
			return EX_FAIL;
		}
		free(png);
	}
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct cmd_args a;
	int r;

	if ((r = args_parse(&graph_entry, argc, argv, &a)) == ARGS_HELP) {
		args_help(&graph_entry, stdout);
		return EX_OK;
	}
	if (r != EX_OK)
		return r;
	r = cmd_graph(&a);
	args_free(&a);
	return r;
}
