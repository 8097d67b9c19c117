/* SPDX-License-Identifier: ISC */
/*
 * Starting and supervising accountd's unprivileged helper programs
 * (accountd-exporter, accountd-ledger).  Each runs as its own user,
 * never as root, and reads the snapshot accountd publishes; what is
 * privileged (making a folder and handing it to the helper's user) is
 * done here, in the prepare callback, before the fork.
 *
 * The start itself (fork, descriptors, the drop to the user, exec) and
 * the reaping are spawn.c's.  A dead helper is started again after 1 s,
 * doubling to 60 s while it keeps dying within 10 s of its start.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accountd.h"
#include "log.h"
#include "spawn.h"
#include "supervise.h"
#include "xalloc.h"

static int start(struct child *);

static bool
dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (d == NULL)
		return false;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

int
mkdir_owned(const char *path, const struct passwd *pw, bool take_empty)
{
	_cleanup_free_ char *p = xstrdup(path);
	struct stat st;

	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	if (mkdir(p, 0755) == 0) {
		/* made now: the helper's to write, everyone's to read */
		if (chown(p, pw->pw_uid, pw->pw_gid) < 0)
			return -errno;
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	if (lstat(p, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid == pw->pw_uid)
		return 0;
	if (take_empty && st.st_uid == 0 && (st.st_mode & 07777) == 0755 &&
	    dir_empty(p))
		return chown(p, pw->pw_uid, pw->pw_gid) < 0 ? -errno : 0;
	log_warn("%s exists and is uid %d's, mode %04o, not %s's; left as it "
	    "is (accountd changes only folders it makes): %s may not be able "
	    "to write there", p, (int)st.st_uid, (unsigned)(st.st_mode & 07777),
	    pw->pw_name, pw->pw_name);
	return 0;
}

static void
on_restart(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;

	(void)fd;
	(void)what;
	if (!c->stopping && c->pid < 0 && start(c) < 0)
		log_err("%s: not started", c->name);
}

static void
on_exit_st(pid_t pid, int st, void *arg)
{
	struct child *c = arg;
	struct timeval tv = { 0, 0 };

	if (pid != c->pid)
		return;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		log_err("%s: cannot run %s", c->name, c->path);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 126)
		log_err("%s: cannot become user %s", c->name, c->user);
	else if (WIFEXITED(st))
		log_warn("%s pid %d exited with status %d", c->name,
		    (int)c->pid, WEXITSTATUS(st));
	else
		log_warn("%s pid %d killed by signal %d", c->name, (int)c->pid,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	c->pid = -1;
	if (c->stopping)
		return;
	if (time(NULL) - c->started >= 10)
		c->backoff = 1;
	tv.tv_sec = c->backoff;
	log_info("%s: starting again in %u s", c->name, c->backoff);
	c->backoff = c->backoff * 2 > 60 ? 60 : c->backoff * 2;
	evtimer_add(c->restart_ev, &tv);
}

static int
start(struct child *c)
{
	struct passwd pwcopy, *pw = getpwnam(c->user);
	struct spawn_how how = { 0 };
	char *argv[32];

	if (pw == NULL || pw->pw_uid == 0) {
		log_err("%s: %s user '%s' (it never runs as root)", c->name,
		    pw ? "refusing" : "no such", c->user);
		return -1;
	}
	pwcopy = *pw;
	if (access(c->path, X_OK) < 0) {
		log_err("%s: cannot run %s: %s", c->name, c->path,
		    strerror(errno));
		return -1;
	}
	memset(argv, 0, sizeof(argv));
	c->fd3 = c->fd4 = c->fd5 = -1;
	if (c->prepare(c, &pwcopy, argv) < 0)
		return -1;
	how.pw = &pwcopy;
	how.fd[0] = -1;
	how.fd[1] = -1;
	how.fd[2] = 2;
	how.fd[3] = c->fd3;
	how.fd[4] = c->fd4;
	how.fd[5] = c->fd5;
	how.nfd = c->fd5 >= 0 ? 6 : c->fd4 >= 0 ? 5 : c->fd3 >= 0 ? 4 : 3;
	how.pdeath = SIGTERM;	/* the ledger closes its database */
	how.exited = on_exit_st;
	how.arg = c;
	c->pid = spawn(argv, NULL, &how);
	if (c->fd3 >= 0)
		close(c->fd3);		/* the child's now */
	if (c->fd4 >= 0)
		close(c->fd4);
	if (c->fd5 >= 0)
		close(c->fd5);
	c->fd3 = c->fd4 = c->fd5 = -1;
	if (c->pid < 0) {
		log_err("%s: fork: %s", c->name, strerror(-c->pid));
		c->pid = -1;
		return -1;
	}
	c->started = time(NULL);
	log_info("%s pid %d (user %s) started", c->name, (int)c->pid, c->user);
	return 0;
}

int
child_start(struct child *c)
{
	c->pid = -1;
	c->fd3 = c->fd4 = c->fd5 = -1;
	c->backoff = 1;
	c->stopping = false;
	c->restart_ev = evtimer_new(ad->base, on_restart, c);
	return start(c);
}

void
child_stop(struct child *c)
{
	c->stopping = true;
	if (c->restart_ev != NULL)
		event_free(c->restart_ev);
	c->restart_ev = NULL;
	if (c->pid > 0) {
		spawn_forget(c->pid);	/* collected here */
		kill(c->pid, SIGTERM);
		for (int i = 0; i < 200; i++) {	/* up to 2 s */
			pid_t r = waitpid(c->pid, NULL, WNOHANG);

			if (r == c->pid || (r < 0 && errno == ECHILD))
				break;
			if (i == 199) {
				kill(c->pid, SIGKILL);
				waitpid(c->pid, NULL, 0);
			}
			usleep(10000);
		}
		c->pid = -1;
	}
}
