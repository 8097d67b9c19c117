/* SPDX-License-Identifier: ISC */
/*
 * Starting accountd-ledger (ledger = yes), the writer of the billing
 * ledger (docs/billing.md), as ledger_user under supervise.c.  It reads
 * the snapshot like the exporter and writes ledger_path; accountd's part
 * is only the privileged set-up: the ledger's folder, owned by
 * ledger_user, and its status file in run_dir (next to the control
 * socket, where `acctctl bill --status` and `acctctl status` look), made
 * here because run_dir is root's.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accountd.h"
#include "launch-ledger.h"
#include "log.h"
#include "supervise.h"
#include "xalloc.h"

static char *snap, *status, *interval, *retention, *compact;

/*
 * A ledger folder the exporter's user owns (ledger_user and exporter_user
 * were both nobody before they had to differ) is handed to the ledger's
 * user, with the ledger's files in it: the exporter, which serves HTTP,
 * must not be able to rewrite billing data.
 */
static void
take_from_exporter(const char *dir, const struct passwd *pw, const char *user)
{
	/* getpwnam() reuses the buffer pw's strings point into: only pw's
	 * numbers are read after it */
	struct passwd *ex = getpwnam(ad->cfg.exporter_user);
	struct stat st;
	struct dirent *e;
	DIR *d;
	int dfd;

	if (ex == NULL || ex->pw_uid == pw->pw_uid || ex->pw_uid == 0 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return;
	if (fstat(dfd, &st) < 0 || st.st_uid != ex->pw_uid ||
	    (d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	log_warn("ledger: %s is %s's, the exporter's user; handing it and its "
	    "files to %s", dir, ad->cfg.exporter_user, user);
	while ((e = readdir(d)) != NULL) {
		struct stat fst;

		if (fstatat(dfd, e->d_name, &fst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(fst.st_mode) && fst.st_uid == ex->pw_uid &&
		    fchownat(dfd, e->d_name, pw->pw_uid, pw->pw_gid,
		    AT_SYMLINK_NOFOLLOW) < 0)
			log_warn("ledger: %s/%s: %s", dir, e->d_name,
			    strerror(errno));
	}
	if (fchown(dfd, pw->pw_uid, pw->pw_gid) < 0)
		log_warn("ledger: %s: %s", dir, strerror(errno));
	closedir(d);
}

static int
prepare(struct child *ch, const struct passwd *pw, char **argv)
{
	const struct acct_config *c = &ad->cfg;
	_cleanup_free_ char *copy = xstrdup(c->ledger_path);
	const char *dir = dirname(copy);
	int n = 0, r, fd;

	/* made for the writer when missing; an empty root folder of mode
	 * 0755 (systemd's StateDirectory= makes it) is taken over; any
	 * other folder is left as it is */
	if ((r = mkdir_owned(dir, pw, true)) < 0) {
		log_err("ledger: cannot make %s for %s: %s", dir, ch->user,
		    strerror(-r));
		return -1;
	}
	take_from_exporter(dir, pw, ch->user);
	free(snap);
	free(status);
	free(interval);
	free(retention);
	free(compact);
	snap = xasprintf("%s/snapshot", c->run_dir);
	status = xasprintf("%s/ledger.status", c->run_dir);
	interval = xasprintf("%u", c->ledger_interval);
	retention = xasprintf("%u", c->ledger_retention);
	compact = xasprintf("%u", c->ledger_compact);
	if ((fd = open(status, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644)) < 0 || fchown(fd, pw->pw_uid, pw->pw_gid) < 0)
		log_warn("ledger: status file %s: %s", status, strerror(errno));
	if (fd >= 0)
		close(fd);
	argv[n++] = c->ledger_program;
	if (ad->foreground || strcmp(c->log, "stderr") == 0)
		argv[n++] = (char *)"-d";
	if (strcmp(c->log_level, "debug") == 0)
		argv[n++] = (char *)"-v";
	argv[n++] = (char *)"-s";
	argv[n++] = snap;
	argv[n++] = (char *)"-f";
	argv[n++] = c->ledger_path;
	argv[n++] = (char *)"-S";
	argv[n++] = status;
	argv[n++] = (char *)"-i";
	argv[n++] = interval;
	argv[n++] = (char *)"-r";
	argv[n++] = retention;
	argv[n++] = (char *)"-c";
	argv[n++] = compact;
	/* the replica (docs/fleet.md): its URI holds no password (conf.c) */
	if (*c->ledger_replica != '\0') {
		argv[n++] = (char *)"-R";
		argv[n++] = c->ledger_replica;
		if (*c->ledger_host_id != '\0') {
			argv[n++] = (char *)"-H";
			argv[n++] = c->ledger_host_id;
		}
		if (*c->ledger_replica_password_file != '\0') {
			argv[n++] = (char *)"-P";
			argv[n++] = c->ledger_replica_password_file;
		}
	}
	argv[n] = NULL;
	return 0;
}

static struct child ledger = { .name = "ledger", .prepare = prepare,
	.pid = -1, .fd3 = -1 };

int
billing_init(void)
{
	if (strcmp(ad->cfg.ledger, "yes") != 0) {
		/* no writer: no stale state for acctctl status to show */
		_cleanup_free_ char *p = xasprintf("%s/ledger.status",
		    ad->cfg.run_dir);

		(void)unlink(p);
		return 0;
	}
	ledger.user = ad->cfg.ledger_user;
	if (getpwnam(ledger.user) == NULL &&
	    strcmp(ledger.user, "accountd-ledger") == 0) {
		/* the default, before a package made the user: daemon, or
		 * on a system without it nobody, unless the exporter is */
		ledger.user = "daemon";
		if (getpwnam(ledger.user) == NULL &&
		    (strcmp(ad->cfg.exporter, "yes") != 0 ||
		    strcmp(ad->cfg.exporter_user, "nobody") != 0))
			ledger.user = "nobody";
		log_warn("ledger: no user accountd-ledger (the default "
		    "ledger_user); running the ledger as %s: make the user "
		    "(useradd --system accountd-ledger) or set ledger_user",
		    ledger.user);
	}
	ledger.path = ad->cfg.ledger_program;
	return child_start(&ledger);
}

const char *
billing_user(void)
{
	return strcmp(ad->cfg.ledger, "yes") == 0 ? ledger.user : NULL;
}

void
billing_close(void)
{
	child_stop(&ledger);
	free(snap);
	free(status);
	free(interval);
	free(retention);
	free(compact);
	snap = status = interval = retention = compact = NULL;
}
