/* SPDX-License-Identifier: ISC */
/*
 * Starting accountd-exporter (exporter = yes): the HTTP side of accountd
 * runs as a separate program under exporter_user, never as root, and
 * reads the snapshot accountd publishes (publish.c); it gets nothing
 * else from the daemon.  What is privileged stays here: making the RRD
 * folder and handing it to the exporter's user, binding nothing.  The
 * supervision (restart with back-off) is supervise.c's.  The exporter
 * keys take effect at accountd's restart (a SIGHUP names them as
 * needing one).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accountd.h"
#include "launch-exporter.h"
#include "log.h"
#include "supervise.h"
#include "xalloc.h"

static char *snap, *step;

static int
prepare(struct child *ch, const struct passwd *pw, char **argv)
{
	const struct acct_config *c = &ad->cfg;
	int n = 0, r;

	if (*c->rrd_dir != '\0' && (r = mkdir_owned(c->rrd_dir, pw, false)) < 0) {
		log_err("exporter: cannot make %s for %s: %s", c->rrd_dir,
		    c->exporter_user, strerror(-r));
		return -1;
	}
	free(snap);
	free(step);
	snap = xasprintf("%s/snapshot", c->run_dir);
	step = xasprintf("%u", c->rrd_step);
	argv[n++] = c->exporter_path;
	if (ad->foreground || strcmp(c->log, "stderr") == 0)
		argv[n++] = (char *)"-d";
	if (strcmp(c->log_level, "debug") == 0)
		argv[n++] = (char *)"-v";
	argv[n++] = (char *)"-l";
	argv[n++] = c->http_listen;
	argv[n++] = (char *)"-s";
	argv[n++] = snap;
	argv[n++] = (char *)"-D";
	argv[n++] = c->metrics_detail;
	if (*c->rrd_dir != '\0') {
		argv[n++] = (char *)"-r";
		argv[n++] = c->rrd_dir;
		argv[n++] = (char *)"-t";
		argv[n++] = step;
		if (*c->rrdcached != '\0') {
			argv[n++] = (char *)"-c";
			argv[n++] = c->rrdcached;
		}
	}
	argv[n] = NULL;
	log_info("exporter (user %s) serving http://%s/metrics", ch->user,
	    c->http_listen);
	return 0;
}

static struct child exporter = { .name = "exporter", .prepare = prepare,
	.pid = -1, .fd3 = -1 };

int
exporter_init(void)
{
	if (strcmp(ad->cfg.exporter, "yes") != 0)
		return 0;
	exporter.user = ad->cfg.exporter_user;
	exporter.path = ad->cfg.exporter_path;
	return child_start(&exporter);
}

void
exporter_close(void)
{
	child_stop(&exporter);
	free(snap);
	free(step);
	snap = step = NULL;
}
