/* SPDX-License-Identifier: ISC */
/*
 * acctctl graph's options: acctctl parses and documents them (cmd-graph.c)
 * before it runs acctctl-graph, which parses the same list again.
 */
#include "config.h"

#include "acctctl.h"

const struct cmd_opt graph_opts[] = {
	{ "-r --resource", "RES", "the beancounter drawn (default physpages)" },
	{ "-p --period", "PERIOD", "how far back: 1h, 1d, 1w, 1m or 1y "
	    "(default 1d)" },
	{ "-o", "FILE.png", "where the image goes (- for standard output); "
	    "required" },
	{ "--rrd-dir", "DIR", "the archives' folder (default: accountd's "
	    "rrd_dir)" },
	{ "--rrdcached", "ADDRESS", "flush through this rrdcached first" },
	{ "--size", "WxH", "the image's size (default 600x200)" },
	{ NULL, NULL, NULL }
};
