/* SPDX-License-Identifier: ISC */
/*
 * Unprivileged helper programs accountd starts and keeps running
 * (accountd-exporter, accountd-ledger, the notifier): see supervise.c.
 */
#ifndef ACCT_SUPERVISE_H
#define ACCT_SUPERVISE_H

#include <pwd.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

struct child {
	const char	*name;		/* for the log: "exporter" */
	/* Called before each start, as root: make what the child needs
	 * and fill argv (up to 31 entries, NULL-terminated; the strings
	 * must live until the next call).  <0: do not start. */
	int		(*prepare)(struct child *, const struct passwd *,
			    char **argv);
	const char	*user;		/* borrowed: the config's */
	const char	*path;		/* borrowed: the program */
	/* state */
	pid_t		 pid;
	int		 fd3;		/* prepare's: the child's fd 3, or -1 */
	int		 fd4, fd5;	/* and its fds 4 and 5, or -1 */
	struct event	*restart_ev;
	time_t		 started;
	unsigned	 backoff;
	bool		 stopping;
};

int	child_start(struct child *);	/* first start; then supervised */
void	child_stop(struct child *);	/* SIGTERM, then SIGKILL after 2 s */
/*
 * A folder for a helper to write: made (with missing parents 0755) and
 * given to pw when it does not exist.  An existing folder is never
 * changed (its mode, a 1777's sticky bit, its owner and its files stay
 * as they are; a warning says when pw does not own it), except, with
 * take_empty, an empty one that is root's with mode 0755, as systemd's
 * StateDirectory= makes it, which is given to pw.  0 or -errno.
 */
int	mkdir_owned(const char *path, const struct passwd *pw, bool take_empty);

#endif
