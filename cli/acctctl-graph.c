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
#include <stdarg.h>
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

/* as acctctl's own (client.c), for this program alone */
int
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "acctctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: acctctl %s %s\n", cmd, GRAPH_ARGS);
	return EX_USAGE;
}

static int
cmd_graph(int argc, char **argv)
{
	const char *ct = NULL, *res = "physpages", *period = "1d";
	const char *out = NULL, *dir = getenv("ACCTCTL_RRD_DIR");
	const char *daemon = getenv("RRDCACHED_ADDRESS");
	struct graph_req g = { .width = 600, .height = 200 };
	struct aerr err = { 0 };
	unsigned char *png = NULL;
	size_t len = 0;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;

		if ((strcmp(a, "--resource") == 0 || strcmp(a, "-r") == 0) && has)
			res = argv[++i];
		else if ((strcmp(a, "--period") == 0 || strcmp(a, "-p") == 0) &&
		    has)
			period = argv[++i];
		else if (strcmp(a, "-o") == 0 && has)
			out = argv[++i];
		else if (strcmp(a, "--rrd-dir") == 0 && has)
			dir = argv[++i];
		else if (strcmp(a, "--rrdcached") == 0 && has)
			daemon = argv[++i];
		else if (strcmp(a, "--size") == 0 && has) {
			unsigned w, h;
			char x;

			if (sscanf(argv[++i], "%u%c%u", &w, &x, &h) != 3 ||
			    x != 'x' || w < 100 || w > 4000 || h < 50 ||
			    h > 2000)
				return usage_error("graph", "bad --size '%s' "
				    "(accepted: WIDTHxHEIGHT, 100x50 to 4000x2000)",
				    argv[i]);
			g.width = w;
			g.height = h;
		} else if (a[0] == '-' && a[1] != '\0')
			return usage_error("graph", "unknown option '%s'%s", a,
			    has ? "" : " (or a missing value)");
		else if (ct == NULL)
			ct = a;
		else
			return usage_error("graph", "one container at a time "
			    "('%s' and '%s')", ct, a);
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
	return cmd_graph(argc, argv);
}
