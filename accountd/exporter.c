/* SPDX-License-Identifier: ISC */
/*
 * Starting and supervising accountd-exporter (exporter = yes): the HTTP
 * side of accountd runs as a separate program under exporter_user, never
 * as root, and reads the snapshot accountd publishes (publish.c); it gets
 * nothing else from the daemon.  What is privileged stays here: making
 * the RRD folder and handing it to the exporter's user, binding nothing.
 *
 *   fork -> drop to exporter_user -> parent-death signal -> exec
 *
 * The child is watched through a pidfd (readable when it exits), not
 * through SIGCHLD: alert.c reaps every child with waitpid(-1), and a
 * pidfd still says "exited" when someone else collected the status.  A
 * dead exporter is started again after 1 s, doubling to 60 s while it
 * keeps dying within 10 s of its start.  The exporter keys take effect
 * at accountd's restart (a SIGHUP names them as needing one).
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accountd.h"
#include "exporter.h"
#include "log.h"
#include "xalloc.h"

static pid_t pid = -1;
static int pidfd = -1;
static struct event *exit_ev, *restart_ev;
static time_t started;
static unsigned backoff = 1;		/* seconds before the next start */
static bool stopping;

static int start(void);

static int
mkdir_owned(const char *path, const struct passwd *pw)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* the archives are the exporter's to write, everyone's to read */
	if (chown(p, pw->pw_uid, pw->pw_gid) < 0 || chmod(p, 0755) < 0)
		return -errno;
	return 0;
}

static void
close_fds_from(int lowfd)
{
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
	for (int fd = lowfd; fd < 65536; fd++)
		close(fd);
}

static void __attribute__((noreturn))
child(const struct passwd *pw, pid_t parent, char **argv)
{
	int nul = open("/dev/null", O_RDWR);

	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
	}
	close_fds_from(3);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if (setgroups(1, &pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid,
	    pw->pw_gid) < 0 || setresuid(pw->pw_uid, pw->pw_uid,
	    pw->pw_uid) < 0)
		_exit(126);
	/* set after the credentials change, which clears it: an accountd
	 * killed with SIGKILL takes its exporter along */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	execv(argv[0], argv);
	_exit(127);
}

static void
on_restart(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (!stopping && pid < 0 && start() < 0)
		log_err("exporter: not started");
}

static void
on_exit_ev(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, 0 };
	int st = 0;
	pid_t r;

	(void)fd;
	(void)what;
	(void)arg;
	r = waitpid(pid, &st, WNOHANG);
	if (r == 0)
		return;		/* not yet collectable: the pidfd fires again */
	event_free(exit_ev);
	exit_ev = NULL;
	close(pidfd);
	pidfd = -1;
	if (r < 0)
		log_warn("exporter pid %d exited", (int)pid);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		log_err("exporter: cannot run %s", ad->cfg.exporter_path);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 126)
		log_err("exporter: cannot become user %s", ad->cfg.exporter_user);
	else if (WIFEXITED(st))
		log_warn("exporter pid %d exited with status %d", (int)pid,
		    WEXITSTATUS(st));
	else
		log_warn("exporter pid %d killed by signal %d", (int)pid,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	pid = -1;
	if (stopping)
		return;
	if (time(NULL) - started >= 10)
		backoff = 1;
	tv.tv_sec = backoff;
	log_info("exporter: starting again in %u s", backoff);
	backoff = backoff * 2 > 60 ? 60 : backoff * 2;
	evtimer_add(restart_ev, &tv);
}

static int
start(void)
{
	const struct acct_config *c = &ad->cfg;
	_cleanup_free_ char *snap = xasprintf("%s/snapshot", c->run_dir);
	_cleanup_free_ char *step = xasprintf("%u", c->rrd_step);
	struct passwd pwcopy, *pw = getpwnam(c->exporter_user);
	char *argv[16];
	int n = 0, r;
	pid_t parent = getpid();

	if (pw == NULL || pw->pw_uid == 0) {
		log_err("exporter: %s user '%s' (it never runs as root)",
		    pw ? "refusing" : "no such", c->exporter_user);
		return -1;
	}
	pwcopy = *pw;
	if (access(c->exporter_path, X_OK) < 0) {
		log_err("exporter: cannot run %s: %s", c->exporter_path,
		    strerror(errno));
		return -1;
	}
	if (*c->rrd_dir != '\0' && (r = mkdir_owned(c->rrd_dir, &pwcopy)) < 0) {
		log_err("exporter: cannot make %s for %s: %s", c->rrd_dir,
		    c->exporter_user, strerror(-r));
		return -1;
	}
	argv[n++] = c->exporter_path;
	if (ad->foreground || strcmp(c->log, "stderr") == 0)
		argv[n++] = (char *)"-d";
	if (strcmp(c->log_level, "debug") == 0)
		argv[n++] = (char *)"-v";
	argv[n++] = (char *)"-l";
	argv[n++] = c->http_listen;
	argv[n++] = (char *)"-s";
	argv[n++] = snap;
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

	pid = fork();
	if (pid < 0) {
		log_err("exporter: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child(&pwcopy, parent, argv);
	started = time(NULL);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		log_warn("exporter pid %d: no pidfd (%s), not supervised",
		    (int)pid, strerror(errno));
		return 0;
	}
	exit_ev = event_new(ad->base, pidfd, EV_READ | EV_PERSIST, on_exit_ev,
	    NULL);
	event_add(exit_ev, NULL);
	log_info("exporter pid %d (user %s) serving http://%s/metrics",
	    (int)pid, c->exporter_user, c->http_listen);
	return 0;
}

int
exporter_init(void)
{
	if (strcmp(ad->cfg.exporter, "yes") != 0)
		return 0;
	restart_ev = evtimer_new(ad->base, on_restart, NULL);
	return start();
}

void
exporter_close(void)
{
	stopping = true;
	if (restart_ev != NULL)
		event_free(restart_ev);
	restart_ev = NULL;
	if (exit_ev != NULL)
		event_free(exit_ev);
	exit_ev = NULL;
	if (pid > 0) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 200; i++) {	/* up to 2 s */
			pid_t r = waitpid(pid, NULL, WNOHANG);

			if (r == pid || (r < 0 && errno == ECHILD))
				break;
			if (i == 199) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
			}
			usleep(10000);
		}
		pid = -1;
	}
	if (pidfd >= 0)
		close(pidfd);
	pidfd = -1;
}
