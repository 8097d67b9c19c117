/* SPDX-License-Identifier: ISC */
/*
 * The fanotify listener of the userspace disk quota (docs/quota.md,
 * "Enforcing"): while a container is at its limit, opens for writing in
 * its tree are refused.  Three choices keep it from stopping anything
 * else:
 *
 *  - Inode marks, not filesystem marks: each directory of a tree at its
 *    limit is marked (FAN_OPEN_PERM | FAN_EVENT_ON_CHILD), so the kernel
 *    asks only about opens of files in those directories.  An open
 *    anywhere else on the filesystem is never delayed or refused.  The
 *    directories are those the count reported (quota-count.c); one made
 *    since is marked when the count that follows it reports it.
 *
 *  - The answers come from a process of their own, accountd's binary
 *    exec'd as "accountd --quota-listener" (quota_listener_main below),
 *    which alone holds the fanotify descriptor.  A permission event waits
 *    until it is answered: while the answerer is stopped, every open it
 *    is asked about waits, reads included.  Kept apart, it goes on
 *    answering while accountd is stopped (SIGSTOP, a debugger) or busy;
 *    if it dies, its descriptor closes and the kernel lets every open
 *    through; if accountd dies, its command pipe ends and it exits.
 *    The remaining bound: while the listener itself is stopped, opens in
 *    the trees at their limit wait (nothing outside them does).
 *
 *  - It marks a directory through openat2(RESOLVE_BENEATH |
 *    RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV) from the tree's root, so a
 *    container that swaps a directory for a symbolic link cannot have a
 *    directory outside its tree marked.
 *
 * Only write-opens are refused: the kernel has no permission event for
 * them alone, so the listener reads the opener's flags from
 * /proc/PID/syscall and lets every other open through at once.
 *
 * accountd → listener (its stdin), one line each:
 *	T ROOT		a tree at its limit (for attributing refusals)
 *	A DIR		mark this directory of one of those trees
 *	F		remove every mark and forget the trees
 * listener → accountd (its stdout):
 *	D N ROOT	N opens refused in the tree ROOT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/openat2.h>

#include <event2/event.h>

#include "log.h"
#include "quota.h"
#include "quota-int.h"
#include "spawn.h"
#include "sbuf.h"
#include "xalloc.h"

#define LISTENER_FD	3	/* the fanotify descriptor in the listener */
#define MARK_MASK	(FAN_OPEN_PERM | FAN_EVENT_ON_CHILD)

/* ---- the listener process ------------------------------------------------ */

/*
 * Whether the process is opening for writing: it is blocked in the
 * open, so /proc/PID/syscall shows the call and its arguments.  What is
 * not an open(2) family call (exec, io_uring ...) is let through.
 */
static bool
opening_to_write(pid_t pid)
{
	char path[64], buf[512];
	unsigned long long a[7] = { 0 };
	long nr;
	int fd, n;
	unsigned long long flags;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	/*
	 * The opener may not have gone to sleep yet when its event is read
	 * (the file then says "running"): look again for up to 20 ms.
	 */
	for (int tries = 0;; tries++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return false;
		n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
		close(fd);
		if (n <= 0)
			return false;
		buf[n] = '\0';
		if (sscanf(buf, "%ld %llx %llx %llx %llx", &nr, &a[0], &a[1],
		    &a[2], &a[3]) >= 2)
			break;
		if (tries >= 200)
			return false;
		usleep(100);
	}
	switch (nr) {
	case 2:		flags = a[1]; break;	/* open */
	case 85:	return true;		/* creat */
	case 257:	flags = a[2]; break;	/* openat */
	case 303:	flags = a[2]; break;	/* open_by_handle_at */
	case 437:	return true;		/* openat2: flags not at hand */
	default:	return false;
	}
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

struct ltree {
	char		*root;
	int		 fd;		/* O_PATH, for openat2 */
	uint64_t	 refused;	/* not yet reported */
};
static struct ltree *lt;
static size_t nlt;
static pid_t exempt;			/* accountd: never refused */

static struct ltree *
ltree_of(const char *path)
{
	for (size_t i = 0; i < nlt; i++) {
		size_t n = strlen(lt[i].root);

		if (strncmp(path, lt[i].root, n) == 0 &&
		    (path[n] == '\0' || path[n] == '/'))
			return &lt[i];
	}
	return NULL;
}

static void
l_forget(int fan)
{
	(void)fanotify_mark(fan, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
	for (size_t i = 0; i < nlt; i++) {
		if (lt[i].fd >= 0)
			close(lt[i].fd);
		free(lt[i].root);
	}
	nlt = 0;
}

static void
l_mark(int fan, const char *dir)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	struct ltree *t = ltree_of(dir);
	const char *rel;
	char lp[64];
	int fd;

	if (t == NULL || t->fd < 0)
		return;
	for (rel = dir + strlen(t->root); *rel == '/'; rel++)
		;
	if (*rel == '\0')
		rel = ".";
	if ((fd = (int)syscall(SYS_openat2, t->fd, rel, &how, sizeof(how))) < 0)
		return;			/* gone, or not beneath the root */
	/* the magic link names exactly the directory opened above (an
	 * O_PATH descriptor cannot be given to fanotify_mark itself) */
	snprintf(lp, sizeof(lp), "/proc/self/fd/%d", fd);
	(void)fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_ONLYDIR, MARK_MASK,
	    AT_FDCWD, lp);
	close(fd);
}

static void
l_command(int fan, char *l)
{
	if (l[0] == 'F' && l[1] == '\0') {
		l_forget(fan);
	} else if (l[0] == 'T' && l[1] == ' ') {
		lt = xreallocarray(lt, nlt + 1, sizeof(*lt));
		lt[nlt].root = xstrdup(l + 2);
		lt[nlt].fd = open(l + 2, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		lt[nlt].refused = 0;
		nlt++;
	} else if (l[0] == 'A' && l[1] == ' ') {
		l_mark(fan, l + 2);
	}
}

/* The counts not yet sent; a full pipe (accountd stopped) keeps them for
 * later instead of stopping the answers. */
static bool
l_report(void)
{
	bool pending = false;

	for (size_t i = 0; i < nlt; i++) {
		char line[PATH_MAX + 32];
		int n;

		if (lt[i].refused == 0)
			continue;
		n = snprintf(line, sizeof(line), "D %llu %s\n",
		    (unsigned long long)lt[i].refused, lt[i].root);
		if (n > 0 && (size_t)n < sizeof(line) &&
		    write(STDOUT_FILENO, line, (size_t)n) == n)
			lt[i].refused = 0;
		else
			pending = true;
	}
	return pending;
}

static void
l_answer(int fan, const struct fanotify_event_metadata *m)
{
	struct fanotify_response resp = { .fd = m->fd, .response = FAN_ALLOW };

	/* every event is an open in a directory of a tree at its limit */
	if (m->pid != exempt && opening_to_write(m->pid)) {
		char lp[64], path[PATH_MAX];
		struct ltree *t;
		ssize_t l;

		snprintf(lp, sizeof(lp), "/proc/self/fd/%d", m->fd);
		l = readlink(lp, path, sizeof(path) - 1);
		path[l > 0 ? l : 0] = '\0';
		if ((t = ltree_of(path)) != NULL)
			t->refused++;
		resp.response = FAN_DENY;
		(void)l_report();	/* counted before the opener sees it */
	}
	(void)write(fan, &resp, sizeof(resp));
	close(m->fd);
}

/*
 * The listener keeps only what answering needs: reading another user's
 * /proc/PID/syscall (CAP_SYS_PTRACE) and reaching the trees' directories
 * to mark them (CAP_DAC_READ_SEARCH).  Inode marks need no CAP_SYS_ADMIN;
 * the group was made with it, by accountd.
 */
static void
l_drop_privileges(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t keep = (1ULL << CAP_SYS_PTRACE) | (1ULL << CAP_DAC_READ_SEARCH);

	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!(keep & (1ULL << c)))
			(void)prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &h, d) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fprintf(stderr, "accountd --quota-listener: cannot drop "
		    "privileges: %s\n", strerror(errno));
}

int
quota_listener_main(int argc, char **argv)
{
	char ebuf[4096] __attribute__((aligned(8)));
	char cbuf[2 * PATH_MAX];
	size_t clen = 0;
	int fan = LISTENER_FD;
	bool pending = false;

	exempt = argc > 2 ? (pid_t)atoi(argv[2]) : getppid();
	l_drop_privileges();
	signal(SIGPIPE, SIG_IGN);
	(void)fcntl(STDOUT_FILENO, F_SETFL, O_NONBLOCK);
	(void)fcntl(fan, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd pf[2] = { { fan, POLLIN, 0 },
		    { STDIN_FILENO, POLLIN, 0 } };
		ssize_t n;

		if (poll(pf, 2, pending ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (pf[0].revents & (POLLERR | POLLNVAL))
			return 1;
		while ((n = read(fan, ebuf, sizeof(ebuf))) > 0) {
			struct fanotify_event_metadata *m = (void *)ebuf;

			for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n))
				if (m->fd >= 0)
					l_answer(fan, m);
		}
		if (pf[1].revents) {
			char *nl;

			n = read(STDIN_FILENO, cbuf + clen, sizeof(cbuf) - clen - 1);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				return 0;	/* accountd is gone */
			if (n > 0)
				clen += (size_t)n;
			cbuf[clen] = '\0';
			while ((nl = strchr(cbuf, '\n')) != NULL) {
				*nl = '\0';
				l_command(fan, cbuf);
				clen -= (size_t)(nl + 1 - cbuf);
				memmove(cbuf, nl + 1, clen + 1);
			}
			if (clen >= sizeof(cbuf) - 1)
				clen = 0;	/* not a line of ours */
		}
		pending = l_report();
	}
}

/* ---- accountd's side ------------------------------------------------------ */

static pid_t lpid = -1;
static int lpidfd = -1;			/* to kill it without a pid race */
static int lcmd = -1, lrep = -1;	/* to the listener, from it */
static struct event *lcmd_ev, *lrep_ev;
static struct sbuf lout;		/* commands not yet written */
static size_t lout_off;
static struct ql_buf lb;		/* the listener's lines */
static double lspawned;
static bool lwarned;

static void l_gone(void);

static void
on_lcmd(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	(void)arg;
	while (lout_off < lout.len) {
		ssize_t n = write(fd, lout.s + lout_off, lout.len - lout_off);

		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				return;		/* the event fires again */
			l_gone();
			return;
		}
		lout_off += (size_t)n;
	}
	sbuf_reset(&lout);
	lout_off = 0;
	event_del(lcmd_ev);
}

static void
l_send(const char *verb, const char *arg)
{
	if (lpid <= 0)
		return;
	sbuf_printf(&lout, "%s%s%s\n", verb, arg ? " " : "", arg ? arg : "");
	event_add(lcmd_ev, NULL);
}

/* The listener's count of refusals, into failcnt. */
static void
l_line(void *arg, const char *l)
{
	const char *root;
	uint64_t n;

	(void)arg;
	if (ql_listener_line(l, &n, &root) < 0)
		return;
	for (size_t i = 0; i < nqs; i++) {
		struct ctquota *q = qs[i];

		if (q->marked && strcmp(q->root, root) == 0) {
			q_bump(q, q->in_force_i != VAL_UNLIMITED &&
			    q->ino.usage >= q->in_force_i, n);
			return;
		}
	}
}

static void
on_lrep(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	(void)arg;
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			l_gone();
			return;
		}
		if (n < 0)
			return;
		ql_feed(&lb, chunk, (size_t)n, l_line, NULL);
	}
}

/*
 * A new fanotify group for each listener: accountd never keeps the
 * descriptor, so that a listener that dies takes its marks with it.
 */
static int
l_spawn(void)
{
	/* it keeps only what answering needs (see l_drop_privileges) */
	struct spawn_how how = { .caps = (1ULL << CAP_SYS_PTRACE) |
	    (1ULL << CAP_DAC_READ_SEARCH), .nfd = LISTENER_FD + 1,
	    .pdeath = SIGKILL };
	int fan, cmd[2], rep[2];
	char pidarg[32];
	char *argv[] = { spawn_self(), (char *)"--quota-listener",
	    pidarg, NULL };
	pid_t pid;

	lspawned = q_mono();
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC |
	    FAN_UNLIMITED_MARKS, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (fan < 0) {
		if (!lwarned)
			log_warn("quota: no fanotify permission events (%s): the "
			    "userspace quota counts but cannot refuse writes "
			    "(the listener needs CAP_SYS_ADMIN)", strerror(errno));
		lwarned = true;
		return -1;
	}
	if (pipe2(cmd, O_CLOEXEC) < 0) {
		close(fan);
		return -1;
	}
	if (pipe2(rep, O_CLOEXEC) < 0) {
		close(fan);
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	snprintf(pidarg, sizeof(pidarg), "%d", (int)getpid());
	how.fd[0] = cmd[0];
	how.fd[1] = rep[1];
	how.fd[2] = 2;
	how.fd[LISTENER_FD] = fan;
	pid = spawn(argv, NULL, &how);
	close(fan);
	close(cmd[0]);
	close(rep[1]);
	if (pid < 0) {
		log_warn("quota: cannot start the fanotify listener: %s: the "
		    "userspace quota cannot refuse writes", strerror(-pid));
		close(cmd[1]);
		close(rep[0]);
		return -1;
	}
	(void)fcntl(cmd[1], F_SETFL, O_NONBLOCK);
	(void)fcntl(rep[0], F_SETFL, O_NONBLOCK);
	lpid = pid;
	lpidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	lcmd = cmd[1];
	lrep = rep[0];
	lb.len = 0;
	lb.skip = 0;
	lcmd_ev = event_new(ad->base, lcmd, EV_WRITE | EV_PERSIST, on_lcmd, NULL);
	lrep_ev = event_new(ad->base, lrep, EV_READ | EV_PERSIST, on_lrep, NULL);
	event_add(lrep_ev, NULL);
	return 0;
}

/* Stops talking to the listener; with `kill`, ends it too (its marks
 * go with its descriptor).  spawn.c reaps it. */
static void
l_stop(bool kill_it)
{
	if (lcmd_ev != NULL)
		event_free(lcmd_ev);
	if (lrep_ev != NULL)
		event_free(lrep_ev);
	lcmd_ev = lrep_ev = NULL;
	if (lcmd >= 0)
		close(lcmd);		/* the listener exits on EOF */
	if (lrep >= 0)
		close(lrep);
	lcmd = lrep = -1;
	if (lpidfd >= 0) {
		if (kill_it)
			(void)syscall(SYS_pidfd_send_signal, lpidfd, SIGKILL,
			    NULL, 0);
		close(lpidfd);
	}
	lpidfd = -1;
	lpid = -1;
	sbuf_reset(&lout);
	lout_off = 0;
	for (size_t i = 0; i < nqs; i++)
		qs[i]->marked = false;
}

/* The listener died: its marks went with it; a new one at the next
 * tick, at most one start a second. */
static void
l_gone(void)
{
	if (lpid <= 0)
		return;
	log_warn("quota: the fanotify listener (pid %d) is gone; starting "
	    "another", (int)lpid);
	l_stop(true);
}

static void
l_send_dir(const char *dir)
{
	l_send("A", dir);
}

static void
l_tree(struct ctquota *q)
{
	l_send("T", q->root);
	l_send("A", q->root);	/* also without inotify's list */
	qc_dirs(q, l_send_dir);
	q->marked = true;
}

/*
 * The marks from the records' `blocked`: a tree that comes to its limit
 * is added; when one leaves, every mark goes and those still at their
 * limit are marked again (fanotify removes inode marks one by one or all
 * at once, and the listener does not keep the list).
 */
void
ql_update(void)
{
	bool drop = false, add = false;

	if (lpid <= 0 && q_mono() - lspawned >= 1.0) {
		bool want = false;

		for (size_t i = 0; i < nqs; i++)
			if (qs[i]->mech == QM_USER)
				want = true;
		if (want)
			(void)l_spawn();
	}
	for (size_t i = 0; i < nqs; i++) {
		struct ctquota *q = qs[i];
		bool want = q->mech == QM_USER && q->blocked;

		if (q->marked && !want)
			drop = true;
		if (!q->marked && want)
			add = true;
	}
	if (lpid <= 0) {
		for (size_t i = 0; i < nqs; i++)
			if (qs[i]->mech == QM_USER && qs[i]->blocked)
				snprintf(qs[i]->status, sizeof(qs[i]->status),
				    "cannot refuse writes (no fanotify "
				    "listener)");
		return;
	}
	if (!drop && !add)
		return;
	ql_collect();	/* refusals of trees about to leave are counted first */
	if (drop) {
		l_send("F", NULL);
		for (size_t i = 0; i < nqs; i++)
			qs[i]->marked = false;
	}
	for (size_t i = 0; i < nqs; i++)
		if (qs[i]->mech == QM_USER && qs[i]->blocked && !qs[i]->marked)
			l_tree(qs[i]);
}

void
ql_dir_added(struct ctquota *q, const char *dir)
{
	if (q->marked)
		l_send("A", dir);
}

void
ql_collect(void)
{
	if (lrep >= 0)
		on_lrep(lrep, EV_READ, NULL);
}

void
ql_init(void)
{
	sbuf_reset(&lout);
}

void
ql_close(void)
{
	l_stop(true);
	sbuf_free(&lout);
}
